/**
 * Body of an extraction worker thread. Worker threads give each file its own heap limit and
 * let the pool terminate an extraction that runs over its time, which a promise on the main
 * thread could not: a parser stuck in a loop would hold the whole process.
 */
import { extractBinary, type BinaryTask } from './binary.js';

export default async function extractInWorker(task: BinaryTask): Promise<string> {
  try {
    return await extractBinary(task);
  } catch (err) {
    // pdf.js throws its own exception classes, which lose their message crossing threads:
    // send a plain Error with the class name kept.
    const name = err instanceof Error ? err.name : 'Error';
    const message = err instanceof Error ? err.message : String(err);
    const plain = new Error(name === 'Error' || name === 'ExtractLimitError' ? message : `${name}: ${message}`);
    plain.name = name === 'ExtractLimitError' ? name : 'Error';
    throw plain;
  }
}
