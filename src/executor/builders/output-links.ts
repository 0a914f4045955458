// Lists a build's output for the link policy (drivers/link-policy.ts): every entry by lstat, links
// by their target as written (never followed here), then the pure verdicts. Kept apart from the
// static-only walk (verify-output.ts): that one judges what files hold, this one what links name.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkOutputEntries, type LinkViolation, type OutputEntry } from '../../drivers/link-policy.js';
import { err, ok, type Result } from '../../model/result.js';
import { kindOf } from './tree-files.js';
import type { VerifyOutputError } from './verify-output.js';
import { describeError } from '../../io/describe-error.js';

export async function listOutputEntries(root: string): Promise<OutputEntry[]> {
  const out: OutputEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(rel === '' ? root : join(root, rel))).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, path);
      const st = await lstat(abs);
      const location = { file: abs };
      if (st.isSymbolicLink()) out.push({ path, kind: 'symlink', target: await readlink(abs), location });
      else if (st.isDirectory()) {
        out.push({ path, kind: 'dir', mode: st.mode & 0o7777, location });
        await walk(path);
      } else if (st.isFile()) out.push({ path, kind: 'file', mode: st.mode & 0o7777, location });
      else out.push({ path, kind: 'other', what: kindOf(st), location });
    }
  };
  await walk('');
  return out;
}

/** The link-policy violations of the output at `outputDir`, whose packages install under `prefix`. */
export async function checkOutputLinks(outputDir: string, prefix: string): Promise<Result<LinkViolation[], VerifyOutputError>> {
  try {
    return ok(checkOutputEntries(await listOutputEntries(outputDir), prefix));
  } catch (e: unknown) {
    const detail = describeError(e);
    return err({ reason: 'output-unreadable', path: outputDir, detail, location: { file: outputDir } });
  }
}
