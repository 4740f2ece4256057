/** `mapping check FILE.csv`: every bad row with its line number and why; exit 1 when any row is bad. */
import { checkMappingFile, formatCheckReport } from '../../mapping/index.js';
import { printJson, type Io } from '../io.js';

export async function mappingCheckCommand(file: string, flags: { json?: boolean }, io: Io): Promise<number> {
  const report = await checkMappingFile(file);
  if (flags.json) printJson(io, report);
  else io.out(formatCheckReport(report).replace(/\n?$/, '\n'));
  return report.problems.some((p) => (p.severity ?? 'error') === 'error') ? 1 : 0;
}
