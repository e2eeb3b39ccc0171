#!/usr/bin/env node
/**
 * `npm run generate:feature -- <name>`: creates src/<name>/ (module, controller, service, entity, DTOs,
 * migration, unit spec) and test/<name>.e2e-spec.ts from tools/feature-template, then registers the module in
 * src/app.module.ts and its migrations in src/migrations.ts. A plain script rather than a Nest CLI schematic:
 * no @angular-devkit dependency, and the templates are ordinary files a team reads and edits.
 *
 * <name> is the plural, kebab-case route segment (orders, purchase-orders). --singular=<word> overrides the
 * naive singular (strip a trailing "s"). --root=<dir> targets another checkout (the generator's own test).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

function fail(message) {
  process.stderr.write(`generate:feature: ${message}\n`);
  process.exit(1);
}

const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const plural = args.find((a) => !a.startsWith('--'));
if (!plural || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(plural)) fail('usage: npm run generate:feature -- <plural-kebab-name> [--singular=<name>]');
const singular = option('singular') ?? plural.replace(/ies$/, 'y').replace(/s$/, '');
if (singular === plural) fail(`cannot derive a singular from "${plural}"; pass --singular=<name>`);
const root = path.resolve(option('root') ?? path.join(__dirname, '..'));

const words = (kebab) => kebab.split('-');
const pascal = (kebab) => words(kebab).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
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
  __Entities__: pascal(plural),
  __Entity__: pascal(singular),
  __entitiesCamel__: camel(plural),
  __entities_words__: words(plural).join(' '),
  __entity_words__: words(singular).join(' '),
  __entities__: plural,
  __entity__: singular,
  __table__: words(plural).join('_'),
  __timestamp__: timestamp,
};
const fill = (text) => Object.entries(tokens).reduce((out, [token, value]) => out.split(token).join(value), text);

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
    const relative = path.relative(templateDir, from).replace(/\.tpl$/, '');
    const to = relative.startsWith(`test${path.sep}`) ? path.join(root, fill(relative)) : path.join(featureDir, fill(relative));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, fill(fs.readFileSync(from, 'utf8')));
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

register(
  'src/app.module.ts',
  `import { ${tokens.__Entities__}Module } from './${plural}/${plural}.module';`,
  /(const FEATURE_MODULES = \[)([^\]]*)(\])/,
  `${tokens.__Entities__}Module`,
);
register(
  'src/migrations.ts',
  `import { ${tokens.__entitiesCamel__}Migrations } from './${plural}/${plural}.migrations';`,
  /(export const migrations = \[)([^\]]*)(\])/,
  `...${tokens.__entitiesCamel__}Migrations`,
);

process.stdout.write(`generated feature "${plural}":\n${written.map((f) => `  ${f}`).join('\n')}\n`);
