#!/usr/bin/env node
/**
 * `npm run generate:feature -- <name> [--with-readiness]`: creates src/<name>/ (feature definition, module,
 * controller, service, entity, DTOs, config fragment, registered migrations, a metric, unit spec; with
 * --with-readiness a readiness check) and test/<name>.e2e-spec.ts from tools/feature-template, then appends the
 * feature to the one composition list, src/features.ts. A plain script rather than a Nest CLI schematic: no
 * @angular-devkit dependency, and the templates are ordinary files a team reads and edits.
 *
 * <name> is the plural, kebab-case route segment (orders, purchase-orders, categories). --singular=<word> overrides
 * the singular of the last word that `pluralize` gives (category, address, person). The output is formatted with
 * the project's Prettier settings. --root=<dir> targets another checkout (the generator's own test).
 * Template lines ending in `// @with-readiness` (and `*.readiness.ts.tpl`) are kept only with --with-readiness.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const pluralize = require('pluralize');
const prettier = require('prettier');

function fail(message) {
  process.stderr.write(`generate:feature: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const plural = args.find((a) => !a.startsWith('--'));
if (!plural || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(plural))
  fail('usage: npm run generate:feature -- <plural-kebab-name> [--singular=<name>]');
/** The singular of the last word (categories → category, addresses → address, people → person). */
function singularOf(kebab) {
  const parts = kebab.split('-');
  return [...parts.slice(0, -1), pluralize.singular(parts.at(-1))].join('-');
}
const singular = option('singular') ?? singularOf(plural);
if (singular === plural) fail(`cannot derive a singular from "${plural}"; pass --singular=<name>`);
const root = path.resolve(option('root') ?? path.join(__dirname, '..'));
const withReadiness = args.includes('--with-readiness');
const unknown = args.filter((a) => a.startsWith('--') && a !== '--with-readiness' && !/^--(singular|root)=/.test(a));
if (unknown.length > 0) fail(`unknown option ${unknown.join(', ')}; expected --singular=<name>, --with-readiness`);

const words = (kebab) => kebab.split('-');
const pascal = (kebab) =>
  words(kebab)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
const camel = (kebab) => pascal(kebab)[0].toLowerCase() + pascal(kebab).slice(1);
const timestamp = String(Date.now());
/**
 * "a" or "an" by the sound of the word's start, which the spelling does not always give: "an hour", "a user",
 * "a one-off". Hand-written: no maintained npm package does this without a dictionary. Vowel letters take "an",
 * except a "u" said "you" (u + one consonant + vowel: user, unit) and "one"/"eu"; a silent "h" takes "an".
 */
function article(word) {
  if (/^(one|once|eu|ewe|uni|u[^aeiou][aeiou])/.test(word)) return 'a';
  if (/^([aeiou]|hour|honest|honou?r|heir)/.test(word)) return 'an';
  return 'a';
}
const sentenceStart = (text) => text[0].toUpperCase() + text.slice(1);
const tokens = {
  // Before __entity_words__, which it does not contain: "An order", "A purchase order" (sentence start).
  __A_entity_words__: sentenceStart(`${article(singular)} ${words(singular).join(' ')}`),
  // "an order", "a purchase order" (mid-sentence).
  __a_entity_words__: `${article(singular)} ${words(singular).join(' ')}`,
  __Entities__: pascal(plural),
  __Entity__: pascal(singular),
  __entitiesCamel__: camel(plural),
  __entities_words__: words(plural).join(' '),
  __entity_words__: words(singular).join(' '),
  __entities__: plural,
  __entity__: singular,
  __table__: words(plural).join('_'),
  __ENV_PREFIX__: words(plural).join('_').toUpperCase(),
  __timestamp__: timestamp,
};
const fill = (text) => Object.entries(tokens).reduce((out, [token, value]) => out.split(token).join(value), text);
const READINESS_MARK = / *\/\/ @with-readiness$/;
/** Keeps the `// @with-readiness` lines (without the mark) only when asked for. */
const select = (text) =>
  text
    .split('\n')
    .filter((line) => withReadiness || !READINESS_MARK.test(line))
    .map((line) => line.replace(READINESS_MARK, ''))
    .join('\n');

const featureDir = path.join(root, 'src', plural);
if (fs.existsSync(featureDir)) fail(`src/${plural} already exists`);

const templateDir = path.join(__dirname, '..', 'tools', 'feature-template');
const written = [];
(function copy(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      copy(from);
      continue;
    }
    if (!withReadiness && entry.name.endsWith('.readiness.ts.tpl')) continue;
    const relative = path.relative(templateDir, from).replace(/\.tpl$/, '');
    const to = relative.startsWith(`test${path.sep}`) ? path.join(root, fill(relative)) : path.join(featureDir, fill(relative));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, fill(select(fs.readFileSync(from, 'utf8'))));
    written.push(path.relative(root, to));
  }
})(templateDir);

/** Inserts `importLine` after the last import and `entry` into the array named by `arrayPattern`. */
function register(file, importLine, arrayPattern, entry) {
  const target = path.join(root, file);
  let text = fs.readFileSync(target, 'utf8');
  const match = arrayPattern.exec(text);
  if (!match) fail(`${file}: cannot find ${arrayPattern} to register the feature; add it by hand`);
  text = text.replace(arrayPattern, `${match[1]}${match[2].trimEnd().replace(/,$/, '')}, ${entry}${match[3]}`);
  const lastImport = [...text.matchAll(/^import .*;$/gm)].at(-1);
  const at = lastImport ? lastImport.index + lastImport[0].length : 0;
  text = `${text.slice(0, at)}\n${importLine}${text.slice(at)}`;
  fs.writeFileSync(target, text);
  written.push(`${file} (registered)`);
}

// The one file outside the feature's folder that changes: the composition list.
register(
  'src/features.ts',
  `import { ${tokens.__entitiesCamel__}Feature } from './${plural}/${plural}.feature';`,
  /(export const FEATURES = \[)([^\]]*)(\])/,
  `${tokens.__entitiesCamel__}Feature`,
);

/**
 * Formats what was written with the project's Prettier settings, so the output passes `npm run lint` whatever the
 * names' lengths do to the templates' lines (the target checkout's settings, else this one's).
 */
async function format(files) {
  const options =
    (await prettier.resolveConfig(path.join(root, 'package.json'))) ??
    (await prettier.resolveConfig(path.join(__dirname, 'generate-feature.js'))) ??
    {};
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
  }
}

format([...written.map((file) => path.join(root, file.replace(/ \(registered\)$/, '')))]).then(
  () => process.stdout.write(`generated feature "${plural}":\n${written.map((f) => `  ${f}`).join('\n')}\n`),
  (error) => fail(`formatting the generated files failed: ${error instanceof Error ? error.message : String(error)}`),
);
