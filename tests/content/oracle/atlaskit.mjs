// Atlassian's own converters (the pinned @atlaskit packages in package.json), as functions and
// on the command line, for the differential test of src/content (oracle_check.sh, check.mjs).
//
//   node atlaskit.mjs wiki-adf | adf-wiki | md-adf | validate   < input
//
// wiki-adf   WikiMarkupTransformer.parse, then JSONTransformer.encode (the ADF Jira Cloud would
//            store for that wiki markup);
// adf-wiki   JSONTransformer.parse, then WikiMarkupTransformer.encode;
// md-adf     MarkdownTransformer.parse (markdown-it based), then JSONTransformer.encode;
// validate   @atlaskit/adf-utils' validator on an ADF document: prints one line per error and
//            exits 1 when there is any.
// Node resolves the packages from NODE_PATH-less ESM, so run it with the installed node_modules
// reachable: oracle-env.sh exports ORACLE_NODE_MODULES and check.mjs imports this file from
// there. All of them load in plain Node 20: no DOM is needed for these directions.
//
// The packages log a feature-gate warning ("Client must be initialized") on first use: the
// feature-gate client is never initialised outside Atlassian's apps, so every gate reads as off
// (the published default behaviour). That noise is dropped unless ORACLE_DEBUG is set.
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const modules = process.env.ORACLE_NODE_MODULES;
if (!modules) throw new Error('atlaskit.mjs: ORACLE_NODE_MODULES is not set (source oracle-env.sh)');
const require = createRequire(path.join(modules, 'oracle.cjs'));

const quiet = (fn) => (...args) => {
  if (process.env.ORACLE_DEBUG) return fn(...args);
  const saved = [console.error, console.warn, console.log, console.info, console.debug];
  console.error = console.warn = console.log = console.info = console.debug = () => {};
  try {
    return fn(...args);
  } finally {
    [console.error, console.warn, console.log, console.info, console.debug] = saved;
  }
};

const { WikiMarkupTransformer } = require('@atlaskit/editor-wikimarkup-transformer');
const { JSONTransformer } = require('@atlaskit/editor-json-transformer');
const { MarkdownTransformer } = require('@atlaskit/editor-markdown-transformer');
const { validator } = require('@atlaskit/adf-utils/validator');

const json = new JSONTransformer();
const wiki = new WikiMarkupTransformer();
const markdown = new MarkdownTransformer();
const validate = quiet(validator)();

export const wikiToAdf = quiet((text) => json.encode(wiki.parse(text)));
export const adfToWiki = quiet((adf) => wiki.encode(json.parse(adf)));
export const mdToAdf = quiet((text) => json.encode(markdown.parse(text)));

// The validator's verdict on `adf`: [] when valid, else one line naming the first error. (Called
// without an error callback it throws on the first error. With a callback it reports every
// alternative it tries on the way, e.g. "code: unsupported mark" for a valid code-marked text
// before it tries the text_code_inline spec, so the callback mode is not a verdict.)
export const validationErrors = quiet((adf) => {
  try {
    const result = validate(adf);
    return result && result.valid === false ? ['not valid (no message)'] : [];
  } catch (e) {
    return [e.message];
  }
});

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const input = readFileSync(0, 'utf8');
  const op = process.argv[2];
  if (op === 'wiki-adf') console.log(JSON.stringify(wikiToAdf(input)));
  else if (op === 'adf-wiki') process.stdout.write(adfToWiki(JSON.parse(input)) + '\n');
  else if (op === 'md-adf') console.log(JSON.stringify(mdToAdf(input)));
  else if (op === 'validate') {
    const errors = validationErrors(JSON.parse(input));
    errors.forEach((e) => console.log(e));
    process.exitCode = errors.length ? 1 : 0;
  } else {
    console.error('usage: node atlaskit.mjs wiki-adf|adf-wiki|md-adf|validate < input');
    process.exitCode = 2;
  }
}
