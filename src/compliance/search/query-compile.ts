/** A parsed query as the index's condition tree: terms become token phrases, filter values keys. */
import type { SearchCond } from '../../store/search-query.js';
import { aliasKey } from './aliases.js';
import type { QueryNode } from './query-ast.js';
import { queryPhrase } from './tokenize.js';

export function compileQuery(node: QueryNode): SearchCond {
  switch (node.type) {
    case 'and':
    case 'or':
      return { op: node.type, of: node.children.map(compileQuery) };
    case 'not':
      return { op: 'not', of: compileQuery(node.child) };
    case 'term':
      return { op: 'text', phrase: queryPhrase(node.text) };
    case 'filter':
      switch (node.field) {
        case 'from':
        case 'to':
          return { op: 'person', role: node.field, value: aliasKey(node.value) };
        case 'participant':
          return { op: 'person', role: 'any', value: aliasKey(node.value) };
        case 'mailbox':
        case 'conversation':
          return { op: node.field, value: aliasKey(node.value) };
        case 'type':
          return { op: 'msgtype', value: node.value.toLowerCase() };
        case 'connector':
          return { op: 'connector', value: node.value };
        case 'after':
        case 'before':
          return { op: node.field, time: node.time };
        case 'has':
          return { op: 'flag', flag: 'attachment' };
        case 'is':
          return { op: 'flag', flag: node.value };
      }
  }
}

/** The terms a hit is highlighted by: every term not under a NOT. */
export function positiveTerms(node: QueryNode, negated = false): string[] {
  switch (node.type) {
    case 'and':
    case 'or':
      return node.children.flatMap((c) => positiveTerms(c, negated));
    case 'not':
      return positiveTerms(node.child, !negated);
    case 'term':
      return negated ? [] : [node.text];
    default:
      return [];
  }
}
