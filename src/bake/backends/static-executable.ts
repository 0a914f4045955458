// musl-linux-amd64: the linked static executable is the image. Baking is what dh_strip does to an
// executable: keep the debug information in a separate file named by the build-id, strip the
// image, and record the debug file's name and CRC in the image (.gnu_debuglink) so that gdb finds
// it next to the binary or under /usr/lib/debug/.build-id/.
import { posix } from 'node:path';
import { err, ok, type Result } from '../../model/result.js';
import { debugFilePath } from '../elf-build-id.js';
import { bakeLocation, toolWords, type BakeBackend, type BakeError, type BakeRequest, type BakeSpec } from './backend.js';

export const STATIC_EXECUTABLE_CONFIG = 'static-executable';

const BUILD_ID = /^[0-9a-f]{4,}$/;

function absolute(path: string, what: string, request: BakeRequest): BakeError | undefined {
  if (!path.startsWith('/') || path.split('/').includes('..')) {
    return { reason: 'invalid-path', path, detail: `${what} must be an absolute path without ..`, location: bakeLocation(request) };
  }
  return undefined;
}

function plan(request: BakeRequest): Result<BakeSpec, BakeError> {
  const location = bakeLocation(request);
  if (request.config !== STATIC_EXECUTABLE_CONFIG) {
    return err({ reason: 'unknown-bake-config', config: request.config, known: [STATIC_EXECUTABLE_CONFIG], location });
  }
  for (const [path, what] of [[request.program, 'the program'], [request.outDir, 'the output directory']] as const) {
    const problem = absolute(path, what, request);
    if (problem !== undefined) return err(problem);
  }
  if (request.imageName === '' || request.imageName.includes('/')) {
    return err({ reason: 'invalid-path', path: request.imageName, detail: 'the image name is a file name', location });
  }
  if (request.buildId === undefined) return err({ reason: 'missing-build-id', program: request.program, location });
  if (!BUILD_ID.test(request.buildId)) return err({ reason: 'invalid-build-id', buildId: request.buildId, location });

  const image = posix.join(request.outDir, request.imageName);
  // The debug file carries its final base name already: --add-gnu-debuglink records the base name
  // of the file it is given, and the build-id layout is the name gdb looks for.
  const packagePath = debugFilePath(request.buildId);
  const debugPath = posix.join(request.outDir, posix.basename(packagePath));
  const objcopy = toolWords(request.tools.OBJCOPY);
  const strip = toolWords(request.tools.STRIP);
  const stripFlags = (request.strip ?? 'all') === 'all' ? ['--strip-all'] : ['--strip-debug', '--strip-unneeded'];
  const cwd = request.outDir;
  return ok({
    backend: 'static-executable',
    config: request.config,
    mounts: [],
    commands: [
      { name: 'keep-debug', argv: [...objcopy, '--only-keep-debug', request.program, debugPath], env: {}, cwd },
      // .comment names the compiler version and nothing else needs it; dh_strip drops it too.
      { name: 'strip', argv: [...strip, ...stripFlags, '--remove-section=.comment', '-o', image, request.program], env: {}, cwd },
      { name: 'debuglink', argv: [...objcopy, `--add-gnu-debuglink=${debugPath}`, image], env: {}, cwd },
    ],
    outputs: { image, debugFile: { path: debugPath, packagePath, buildId: request.buildId } },
  });
}

export const staticExecutableBackend: BakeBackend = {
  id: 'static-executable',
  summary: 'the static executable is the image: stripped, with a separate debug file named by build-id',
  configs: [STATIC_EXECUTABLE_CONFIG],
  plan,
};
