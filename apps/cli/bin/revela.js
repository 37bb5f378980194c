#!/usr/bin/env node
// The `revela` command (package.json "bin"); the code is compiled by `npm run build` into dist/.
import '../../../dist/apps/cli/src/main.js';
