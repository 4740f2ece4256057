/** Worker thread body of the mapping parser pool: parse one uploaded file, answer its bounded summary. */
import { parseMappingCsv } from './csv.js';
import { summarizeMapping, type MappingSummary, type SummaryLimits } from './summary.js';

export interface ParseTask {
  text: string;
  fileName: string;
  limits: SummaryLimits;
}

export default function parseTask(task: ParseTask): MappingSummary {
  return summarizeMapping(parseMappingCsv(task.text, task.fileName), task.limits);
}
