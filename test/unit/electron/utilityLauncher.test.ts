import { describe, expect, it, vi } from 'vitest';
import { engineExitDescription, utilityLauncher } from '../../../main/engine/process/utilityLauncher';
import type { Logger } from '../../../main/services/logs';
import { utilityProcess } from './electronStub';

vi.mock('electron', () => import('./electronStub'));

function memoryLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message) => lines.push(`INFO ${message}`),
    warn: (message) => lines.push(`WARN ${message}`),
    error: (message) => lines.push(`ERROR ${message}`),
  };
}

describe('the engine as an Electron utility process', () => {
  it('logs what the engine prints (a packaged app has no terminal)', async () => {
    const log = memoryLog();
    utilityLauncher('/app/out/main/engine.js', log)();
    expect(utilityProcess.fork).toHaveBeenLastCalledWith(
      '/app/out/main/engine.js',
      [],
      expect.objectContaining({ stdio: 'pipe' }),
    );
    const child = utilityProcess.forked.at(-1)!;
    child.stderr.write('2026-11-29 [W:onnxruntime] CUDA provider not found\n\n');
    child.stdout.write('ready\r\n');
    await vi.waitFor(() => expect(log.lines).toHaveLength(2));
    expect(log.lines).toEqual(
      expect.arrayContaining(['WARN engine: 2026-11-29 [W:onnxruntime] CUDA provider not found', 'INFO engine: ready']),
    );
  });

  it('survives a fatal error event and reports the exit once', () => {
    const log = memoryLog();
    const engine = utilityLauncher('/app/out/main/engine.js', log)();
    const exits: string[] = [];
    engine.onExit((description) => exits.push(description));
    const child = utilityProcess.forked.at(-1)!;
    expect(() => child.emit('error', 'FatalError', 'v8::ToLocalChecked', '{"report":1}')).not.toThrow();
    child.emit('exit', 134);
    expect(exits).toEqual(['FatalError at v8::ToLocalChecked']);
    expect(log.lines).toEqual(['ERROR engine process FatalError at v8::ToLocalChecked']);
  });

  it('reports an ordinary exit with its code', async () => {
    const engine = utilityLauncher('/app/out/main/engine.js', memoryLog())();
    const exits: string[] = [];
    engine.onExit((description) => exits.push(description));
    utilityProcess.forked.at(-1)!.emit('exit', 0);
    await vi.waitFor(() => expect(exits).toEqual(['exit code 0']));
  });

  it('names the Visual C++ runtime when ONNX Runtime cannot load on Windows', () => {
    const tail = [
      'engine: Error: The specified module could not be found.',
      'engine: \\\\?\\C:\\Program Files\\IIR Studio\\resources\\app.asar.unpacked\\node_modules\\onnxruntime-node\\bin\\napi-v6\\win32\\x64\\onnxruntime_binding.node',
      'engine:     at process.func [as dlopen] (node:electron/js2c/node_init:2:2617)',
    ];
    expect(engineExitDescription(1, tail, 'win32')).toMatch(
      /^ONNX Runtime could not load; install the Microsoft Visual C\+\+ Redistributable \(x64\) from https:\/\//,
    );
    expect(engineExitDescription(1, tail, 'linux')).toBe('exit code 1');
    expect(engineExitDescription(1, ['engine: out of memory'], 'win32')).toBe('exit code 1');
  });
});
