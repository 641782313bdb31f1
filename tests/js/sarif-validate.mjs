// sarif-validate.mjs FILE...: validates SARIF logs against the SARIF 2.1.0 JSON schema
// (2.1.0-rtm.5, the schema of the OASIS standard, as @microsoft/jest-sarif ships it) with ajv,
// offline. Exit 0 valid, 1 invalid (the errors on stderr), 77 when the tools are missing
// (`npm ci` in tests/js), 2 on a usage or read error.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let Ajv, draft4, schema;
try {
	Ajv = require('ajv');
	draft4 = require('ajv/lib/refs/json-schema-draft-04.json');
	schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
} catch (e) {
	console.error(`sarif-validate: ${e.message.split('\n')[0]} (run npm ci in tests/js)`);
	process.exit(77);
}
if (process.argv.length < 3) {
	console.error('usage: sarif-validate.mjs FILE...');
	process.exit(2);
}
const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false });
ajv.addMetaSchema(draft4);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
	let log;
	try {
		log = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		console.error(`sarif-validate: ${file}: ${e.message}`);
		process.exit(2);
	}
	if (!validate(log)) {
		bad++;
		for (const err of validate.errors.slice(0, 20))
			console.error(`${file}: ${err.dataPath || '/'} ${err.message}`);
	}
}
process.exit(bad ? 1 : 0);
