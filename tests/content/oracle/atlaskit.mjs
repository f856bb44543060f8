// Atlassian's own converters (the pinned @atlaskit packages in package.json), as functions and
// on the command line, for the differential test of src/content (oracle_check.sh, check.mjs).
//
//   node atlaskit.mjs wiki-adf | adf-wiki | md-adf | validate   < input
//   node atlaskit.mjs case corpus/NAME    every conversion of one corpus case, by its extension
//
// wiki-adf   WikiMarkupTransformer.parse, then JSONTransformer.encode (the ADF Jira Cloud would
//            store for that wiki markup);
// adf-wiki   JSONTransformer.parse, then WikiMarkupTransformer.encode;
// md-adf     MarkdownTransformer.parse (markdown-it based), then JSONTransformer.encode;
// validate   @atlaskit/adf-utils' validator on an ADF document: prints one line per error and
//            exits 1 when there is any.
// The packages are loaded from $ORACLE_NODE_MODULES (source oracle-env.sh, which installs them
// outside the repository and exports it). All of them load in plain Node 20: none of these
// directions needs a DOM, so no jsdom.
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

// What Atlaskit makes of one corpus file (.wiki, .adf.json or .md), as labelled sections.
function showCase(file) {
  const text = readFileSync(file, 'utf8');
  const section = (label, value) =>
    console.log(`== ${label}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 1)}`);
  if (file.endsWith('.wiki')) {
    const adf = wikiToAdf(text);
    section('wiki -> ADF', adf);
    section('wiki -> ADF -> wiki', adfToWiki(adf));
  } else if (file.endsWith('.adf.json')) {
    const adf = JSON.parse(text);
    section('validator', validationErrors(adf).join('\n') || 'valid');
    const wikiText = adfToWiki(adf);
    section('ADF -> wiki', wikiText);
    section('ADF -> wiki -> ADF', wikiToAdf(wikiText));
  } else {
    section('Markdown -> ADF', mdToAdf(text));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const op = process.argv[2];
  const input = op === 'case' ? '' : readFileSync(0, 'utf8');
  if (op === 'case' && process.argv[3]) showCase(process.argv[3]);
  else if (op === 'wiki-adf') console.log(JSON.stringify(wikiToAdf(input)));
  else if (op === 'adf-wiki') process.stdout.write(adfToWiki(JSON.parse(input)) + '\n');
  else if (op === 'md-adf') console.log(JSON.stringify(mdToAdf(input)));
  else if (op === 'validate') {
    const errors = validationErrors(JSON.parse(input));
    errors.forEach((e) => console.log(e));
    process.exitCode = errors.length ? 1 : 0;
  } else {
    console.error('usage: node atlaskit.mjs wiki-adf|adf-wiki|md-adf|validate < input, or case FILE');
    process.exitCode = 2;
  }
}
