/**
 * The module tier (test/support/module-tier.ts) runs in this one process. Importing the app's
 * controllers, DTOs and the libs they reach costs about 2.5 s of CPU per process, more than all the
 * tier's cases together, so the features' suites are imported here rather than each being a
 * `*.test.ts` of its own. Add a new feature's `*.suite.ts` below.
 */
import './tenants.suite.js';
import './animals.suite.js';
import './photos.suite.js';
import './jobs.suite.js';
