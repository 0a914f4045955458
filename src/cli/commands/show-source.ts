// `stubforge show-source <name> [--suite S] [--format text|json]`: the version of a source
// package, its build relations as stubforge parses them, and its files with checksums.
import { parseRelations, formatRelation } from '../../control/relation.js';
import type { SourceRecord } from '../../model/archive.js';
import type { RelationList } from '../../model/relation.js';
import { describeFindSourceError } from '../archive-messages.js';
import { ARCHIVE_OPTIONS, ARCHIVE_USAGE, openArchiveFromArgs } from '../archive-options.js';
import type { CliCommand, CliContext } from '../command.js';
import { ExitCode, showSourceExitCode } from '../exit-codes.js';
import { commandArgs } from '../command-args.js';

const USAGE = `usage: stubforge show-source <name> [options]\n${ARCHIVE_USAGE}` +
  '  --format text|json output format (default text)\n';

const RELATION_FIELDS = [
  ['Build-Depends', 'buildDepends'],
  ['Build-Depends-Arch', 'buildDependsArch'],
  ['Build-Depends-Indep', 'buildDependsIndep'],
  ['Build-Conflicts', 'buildConflicts'],
  ['Build-Conflicts-Arch', 'buildConflictsArch'],
  ['Build-Conflicts-Indep', 'buildConflictsIndep'],
] as const;

interface ParsedField {
  readonly field: string;
  readonly relations: RelationList;
}

function parseFields(record: SourceRecord): { fields: ParsedField[]; errors: string[] } {
  const fields: ParsedField[] = [];
  const errors: string[] = [];
  for (const [field, key] of RELATION_FIELDS) {
    const text = record[key];
    if (text === undefined) continue;
    const parsed = parseRelations(text, { file: `Sources(${record.suite}/${record.component}) ${record.package} ${field}` });
    if (parsed.ok) fields.push({ field, relations: parsed.value });
    else errors.push(`${parsed.error.location.file}: ${parsed.error.message} at offset ${parsed.error.offset}`);
  }
  return { fields, errors };
}

function renderText(record: SourceRecord, fields: readonly ParsedField[]): string {
  const lines = [
    `Source: ${record.package}`,
    `Version: ${record.version}`,
    `Suite: ${record.suite}/${record.component}`,
    `Format: ${record.format}`,
    `Binaries: ${record.binaries.join(', ')}`,
    `Architecture: ${record.architecture.join(' ')}`,
  ];
  for (const { field, relations } of fields) {
    lines.push(`${field}: (${relations.length} relations)`);
    for (const group of relations) lines.push(`  ${group.map(formatRelation).join(' | ')}`);
  }
  lines.push(`Files (${record.directory}):`);
  for (const f of record.files) lines.push(`  ${f.name}  ${f.size}  sha256:${f.sha256}`);
  return `${lines.join('\n')}\n`;
}

export const command: CliCommand = {
  summary: 'show a source package: version, parsed build relations, files with checksums',
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const args = commandArgs('show-source', USAGE, {
        args: [...argv], allowPositionals: true,
        options: { ...ARCHIVE_OPTIONS, format: { type: 'string', default: 'text' }, help: { type: 'boolean' } },
      }, ctx);
    if (typeof args === 'number') return args;
    const { values, positionals } = args;
    const [name, ...extra] = positionals;
    if (name === undefined || extra.length > 0 || (values.format !== 'text' && values.format !== 'json')) {
      ctx.stderr.write(USAGE);
      return ExitCode.usage;
    }
    const archive = await openArchiveFromArgs(values, ctx);
    if (!archive.ok) {
      ctx.stderr.write(`stubforge show-source: ${archive.error.message}\n`);
      return archive.error.exitCode;
    }
    const [suite] = values.suite ?? [];
    const found = archive.value.findSource(name, values.suite?.length === 1 ? suite : undefined);
    if (!found.ok) {
      const failure = describeFindSourceError(found.error);
      ctx.stderr.write(`stubforge show-source: ${failure.message}\n`);
      return failure.exitCode;
    }
    const { fields, errors } = parseFields(found.value);
    if (values.format === 'json') {
      ctx.stdout.write(`${JSON.stringify({ ...found.value, relations: Object.fromEntries(fields.map((f) => [f.field, f.relations])) }, null, 2)}\n`);
    } else {
      ctx.stdout.write(renderText(found.value, fields));
    }
    for (const e of errors) ctx.stderr.write(`stubforge show-source: ${e}\n`);
    return showSourceExitCode(errors.length);
  },
};
