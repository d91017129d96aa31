/**
 * Where a JSON text first breaks the grammar, for error messages. Node 20's
 * JSON.parse names a position for some errors only ("Unexpected token" and
 * "Unexpected end of JSON input" carry none), and a benchmark result is one
 * large document, often on a single line, so the reader needs the place
 * itself. jsonc-parser (VS Code's JSON scanner) reports every error with its
 * offset; comments and trailing commas, which it can accept, are refused here
 * as JSON refuses them. Called only after JSON.parse has failed.
 */
import { parse, ParseErrorCode, type ParseError } from 'jsonc-parser';

export interface JsonSyntaxError {
  /** UTF-16 offset into the text. */
  offset: number;
  /** What is at `offset`: a quoted character, or "end of input". */
  found: string;
  expected: string;
}

/** Each error jsonc-parser can report, as what the text should have had there. */
const EXPECTED: Record<ParseErrorCode, string> = {
  [ParseErrorCode.InvalidSymbol]: 'a JSON value',
  [ParseErrorCode.InvalidNumberFormat]: 'a number as JSON writes it (no leading zeros, digits after . and e)',
  [ParseErrorCode.PropertyNameExpected]: 'a double-quoted key',
  [ParseErrorCode.ValueExpected]: 'a JSON value',
  [ParseErrorCode.ColonExpected]: "':' after the key",
  [ParseErrorCode.CommaExpected]: "',' between the values",
  // Also at the end of input, after '{' as after a member: the one thing every case needs next is the close.
  [ParseErrorCode.CloseBraceExpected]: "'}' to close the object",
  [ParseErrorCode.CloseBracketExpected]: "']' to close the array",
  [ParseErrorCode.EndOfFileExpected]: 'the end of the document',
  [ParseErrorCode.InvalidCommentToken]: 'a JSON value (JSON has no comments)',
  [ParseErrorCode.UnexpectedEndOfComment]: 'a JSON value (JSON has no comments)',
  [ParseErrorCode.UnexpectedEndOfString]: 'a string closed by \'"\' on its line',
  [ParseErrorCode.UnexpectedEndOfNumber]: 'digits after . or e',
  [ParseErrorCode.InvalidUnicode]: 'four hex digits after \\u',
  [ParseErrorCode.InvalidEscapeCharacter]: 'an escape JSON knows (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
  [ParseErrorCode.InvalidCharacter]: 'no control characters inside a string (escape them)',
};

/** The first syntax error of `text`, or undefined when there is none to name. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const errors: ParseError[] = [];
  try {
    parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch {
    // jsonc-parser descends recursively: nesting deep enough to exhaust the stack leaves the place unknown.
    return undefined;
  }
  const first = errors[0];
  if (first === undefined) return undefined;
  const found = first.offset < text.length ? JSON.stringify(text[first.offset]) : 'end of input';
  return { offset: first.offset, found, expected: EXPECTED[first.error] };
}
