import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeb822 } from '../../src/control/deb822.js';
import {
  formatDescription, orderFields, renderField, renderParagraph, validateFieldName, validateFieldValue,
  validatePackageName, validateVersion, type ControlField,
} from '../../src/deb/deb-fields.js';
import { describeDebLayoutError } from '../../src/cli/deb-messages.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/deb');
const here = { file: 'test' };

function controlFields(file: string): { text: string; fields: ControlField[] } {
  const text = readFileSync(join(FIXTURES, file), 'utf8');
  const parsed = parseDeb822(text, { file });
  if (!parsed.ok) throw new Error(parsed.error.message);
  const [paragraph] = parsed.value;
  if (paragraph === undefined) throw new Error(`${file}: no paragraph`);
  return { text, fields: paragraph.fields.map((f) => ({ name: f.name, value: f.value })) };
}

describe('renderParagraph in dpkg order', () => {
  it.each([
    ['zlib1g-dev_1.2.13.dfsg-1.control'],
    ['linux-libc-dev-arm64-cross_6.1.4-1cross1.control'],
  ])('reproduces the control file of %s byte for byte from its fields in reverse order', (file) => {
    const { text, fields } = controlFields(file);
    expect(renderParagraph([...fields].reverse(), 'deb')).toBe(text);
  });

  it('puts fields dpkg does not know after Description, sorted by name, as dpkg-gencontrol does', () => {
    const names = orderFields([
      { name: 'X-Stubforge-Source', value: 'zlib' },
      { name: 'Description', value: 'd' },
      { name: 'Aardvark', value: '1' },
      { name: 'Built-Using', value: 'zlib (= 1)' },
      { name: 'Package', value: 'p' },
      { name: 'Static-Built-Using', value: 'zlib (= 1)' },
      { name: 'Multi-Arch', value: 'foreign' },
    ], 'deb').map((f) => f.name);
    expect(names).toEqual(['Package', 'Built-Using', 'Static-Built-Using', 'Multi-Arch', 'Description', 'Aardvark', 'X-Stubforge-Source']);
  });

  it('puts the file fields of a Packages stanza between the relations and Section', () => {
    const names = orderFields(['Section', 'SHA256', 'Filename', 'Depends', 'Size', 'MD5sum', 'Package'].map((name) => ({ name, value: 'x' })), 'index').map((f) => f.name);
    expect(names).toEqual(['Package', 'Depends', 'Filename', 'Size', 'MD5sum', 'SHA256', 'Section']);
  });
});

describe('formatDescription (Policy §5.6.13)', () => {
  it('writes paragraph breaks as " ." and keeps verbatim lines indented', () => {
    const value = formatDescription({ synopsis: 'short', extended: ['para one', '', ' verbatim line'] }, here);
    expect(value.ok && renderField({ name: 'Description', value: value.value })).toBe(
      'Description: short\n para one\n .\n  verbatim line\n');
  });

  it.each([
    [{ synopsis: '' }, 'the synopsis is empty'],
    [{ synopsis: 'two\nlines' }, 'single line'],
    [{ synopsis: 'x'.repeat(81) }, '81 characters'],
    [{ synopsis: 's', extended: ['a\tb'] }, 'tab'],
    [{ synopsis: 's', extended: ['..'] }, 'only full stops'],
    [{ synopsis: 's', extended: ['a\nb'] }, 'newline'],
  ])('refuses %j', (desc, message) => {
    const r = formatDescription(desc, here);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.reason).toBe('invalid-description');
      expect(describeDebLayoutError(r.error)).toContain(message);
    }
  });
});

describe('validation', () => {
  it.each([
    ['zlib1g-dev', true], ['libglib2.0-dev', true], ['g++', true],
    ['a', false], ['Zlib', false], ['-zlib', false], ['zlib_dev', false], ['', false],
  ])('package name %j valid: %s', (name, valid) => {
    expect(validatePackageName(name, here).ok).toBe(valid);
  });

  it.each([
    ['1:1.2.13.dfsg-1', true], ['4.17.5+72-g01140da4e8-1', true], ['1:7.2+dfsg-7+deb12u18', true], ['66', true],
    ['a1.0', false], ['1.0-', false], [' 1.0', false], ['x:1.0', false], ['1.0-1_2', false], ['', false],
  ])('version %j valid: %s', (version, valid) => {
    const r = validateVersion(version, here);
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.error.reason).toBe('invalid-version');
  });

  it.each([
    ['X-Stubforge-Source', true], ['Built-Using', true], ['#Comment', false], ['-Dash', false],
    ['Has Space', false], ['Colon:Name', false], ['', false],
  ])('field name %j valid: %s', (name, valid) => {
    expect(validateFieldName(name, here).ok).toBe(valid);
  });

  it.each([
    ['single line', true], ['first\n second', true], ['', false], ['   ', false],
    ['first\n\nthird', false], ['bell\u0007', false],
  ])('field value %j valid: %s', (value, valid) => {
    expect(validateFieldValue('X-Test', value, here).ok).toBe(valid);
  });
});
