/**
 * A process's thread budget: how many CPU threads ONNX Runtime and libvips (sharp) may use. Left alone, each uses
 * every core, so two workers on one host fight over the same cores (`npm run bench -- workers`: 0.54 scaling with
 * two workers on two cores). `iir worker --threads N` gives its engine's every session N intra-op threads and sharp
 * N threads; several workers on one host split the cores between them.
 */
import { availableParallelism } from 'node:os';
import type ort from 'onnxruntime-node';
import sharp from 'sharp';
import { invalidArgument } from '../../shared/errors';

/** More threads than any machine this runs on has cores: a typo, not a budget. */
export const maxThreads = 256;

/** Throws a one-line error unless `threads` is a whole number from 1 to {@link maxThreads}. */
export function checkThreads(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > maxThreads) {
    throw invalidArgument(`the thread budget must be a whole number from 1 to ${maxThreads}, not ${threads}`);
  }
  return threads;
}

/** A worker's default budget: the cores shared out over the jobs it holds at once (at least one each). */
export function defaultThreads(concurrency: number, cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, concurrency)));
}

/**
 * The session options that hold ONNX Runtime to `threads` (none without a budget: its default, every core).
 * Sessions run their graphs sequentially, so the inter-op pool is never used: one thread there keeps it from
 * starting a pool of its own, and the intra-op pool (the calling thread included) is the whole budget.
 */
export function threadSessionOptions(threads: number | undefined): ort.InferenceSession.SessionOptions {
  if (threads === undefined) return {};
  return { intraOpNumThreads: checkThreads(threads), interOpNumThreads: 1, executionMode: 'sequential' };
}

/** Holds this process's libvips (sharp) to `threads` per operation; without a budget it keeps sharp's default. */
export function applySharpThreads(threads: number | undefined): void {
  if (threads !== undefined && sharp.concurrency() !== checkThreads(threads)) sharp.concurrency(threads);
}
