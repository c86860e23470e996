// Validate documents with ajv (draft 2020-12, formats asserted), every schema of one version
// added first, so each $ref resolves offline by the schemas' $id (docs/validate.md):
//   npm install ajv@8 ajv-formats@3
//   NODE_PATH=node_modules node tests/ajv_validate.cjs schemas/1.1.0 annotation seeds/annotations/*.json
// Prints one line per document: its name, then "valid" or "invalid" and the first error.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv2020 = require("ajv/dist/2020");
const addFormats = require("ajv-formats");

const [folder, name, ...documents] = process.argv.slice(2);
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
let id = null;
for (const file of fs.readdirSync(folder).filter((f) => f.endsWith(".schema.json")).sort()) {
  const schema = JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
  ajv.addSchema(schema);
  if (file === `${name}.schema.json`) id = schema.$id;
}
const validate = ajv.getSchema(id);
let invalid = 0;
for (const file of documents) {
  const ok = validate(JSON.parse(fs.readFileSync(file, "utf8")));
  invalid += ok ? 0 : 1;
  const first = ok ? "" : ` ${validate.errors[0].instancePath} ${validate.errors[0].message}`;
  console.log(`${file} ${ok ? "valid" : "invalid"}${first}`);
}
process.exitCode = invalid ? 1 : 0;
