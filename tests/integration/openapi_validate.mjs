// Validates an OpenAPI document (the file named by the first argument) with a real validator,
// @readme/openapi-parser: the OpenAPI 3.0 JSON schema and the rules beyond it (path parameters
// declared, required and in the path; unique parameters; arrays with items; security schemes
// with the properties of their type; $refs that resolve). Exit 0 when valid without warnings;
// otherwise 1 with the validator's words. Run by api_test (integration/api_test.cc).
import { readFile } from 'node:fs/promises';
import { compileErrors, validate } from '@readme/openapi-parser';

const file = process.argv[2];
if (!file) {
  console.error('usage: node openapi_validate.mjs DOCUMENT.json');
  process.exit(2);
}
const doc = JSON.parse(await readFile(file, 'utf8'));
const result = await validate(doc);
if (!result.valid || result.warnings.length > 0) {
  console.error(compileErrors(result));
  for (const w of result.warnings) console.error(`warning: ${w.message}`);
  process.exit(1);
}
console.log(`valid: ${result.specification} ${doc.openapi}, ${Object.keys(doc.paths).length} paths`);
