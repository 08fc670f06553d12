import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type PatchType, patchTypeFromContentType } from '../../../src/apiserver/patch/index.js';

test('patchTypeFromContentType maps the four patch media types and ignores parameters', () => {
  const cases: Array<[string, PatchType | undefined]> = [
    ['application/json-patch+json', 'json'],
    ['application/merge-patch+json', 'merge'],
    ['application/strategic-merge-patch+json', 'strategic'],
    ['application/apply-patch+yaml', 'apply'],
    ['application/strategic-merge-patch+json; charset=utf-8', 'strategic'],
    ['application/merge-patch+json;charset=UTF-8', 'merge'],
    ['application/json', undefined],
    ['application/yaml', undefined],
    ['application/apply-patch+cbor', undefined],
    ['', undefined],
  ];
  for (const [contentType, expected] of cases) {
    assert.equal(patchTypeFromContentType(contentType), expected, contentType);
  }
});
