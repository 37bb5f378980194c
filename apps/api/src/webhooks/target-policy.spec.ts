import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedAddress, targetUrlProblem } from './target-policy.js';

const AWS = { httpsOnly: true, allowLoopback: false };
const EMBEDDED = { httpsOnly: false, allowLoopback: true };

describe('webhook target policy', () => {
  it('refuses private, link-local, metadata and reserved addresses in every runtime', () => {
    for (const address of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.10',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      'fd12::1',
      'fe80::1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '::',
    ]) {
      assert.ok(refusedAddress(address, EMBEDDED), `${address} with the embedded defaults`);
      assert.ok(refusedAddress(address, AWS), `${address} on AWS`);
    }
    assert.match(refusedAddress('169.254.169.254', EMBEDDED)!, /link-local/);
  });

  it('allows loopback only when the policy does (the embedded defaults)', () => {
    for (const address of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) {
      assert.equal(refusedAddress(address, EMBEDDED), undefined, address);
      assert.match(refusedAddress(address, AWS)!, /loopback/, address);
    }
  });

  it('allows public addresses', () => {
    for (const address of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111'])
      assert.equal(refusedAddress(address, AWS), undefined, address);
  });

  it('checks the URL: https only on AWS, no credentials, no forbidden literal host', () => {
    assert.equal(targetUrlProblem('https://hooks.example.com/revela', AWS), undefined);
    assert.equal(targetUrlProblem('http://127.0.0.1:4000/hook', EMBEDDED), undefined);
    assert.match(targetUrlProblem('http://hooks.example.com/revela', AWS)!, /https/);
    assert.match(targetUrlProblem('ftp://hooks.example.com/', EMBEDDED)!, /https or http/);
    assert.match(targetUrlProblem('https://user:pw@hooks.example.com/', AWS)!, /credentials/);
    assert.match(targetUrlProblem('https://169.254.169.254/latest/meta-data', AWS)!, /link-local/);
    assert.match(targetUrlProblem('https://[::1]:8080/', AWS)!, /loopback/);
    assert.match(targetUrlProblem('https://localhost/', AWS)!, /loopback/);
    assert.match(targetUrlProblem('not a url', AWS)!, /absolute URL/);
  });
});
