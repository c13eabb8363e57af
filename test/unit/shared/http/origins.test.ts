import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cspSourceOf, httpOrigin } from '../../../../shared/http/origins.ts';

test('httpOrigin: the origin of http(s) URLs only', () => {
  assert.equal(httpOrigin('https://App.Example:8443/cb?x=1#f'), 'https://app.example:8443');
  assert.equal(httpOrigin('http://127.0.0.1:8080/callback'), 'http://127.0.0.1:8080');
  assert.equal(httpOrigin('com.example.app:/callback'), undefined, 'a native scheme has no origin to speak of');
  assert.equal(httpOrigin('not a url'), undefined);
});

test('cspSourceOf: the origin for http(s), the scheme for a native callback (RFC 8252 §7.1), nothing for a non-URL', () => {
  assert.equal(cspSourceOf('https://app.example/cb'), 'https://app.example');
  assert.equal(cspSourceOf('com.example.app:/callback'), 'com.example.app:');
  assert.equal(cspSourceOf(''), undefined);
});
