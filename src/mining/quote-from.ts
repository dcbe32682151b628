/**
 * Evidence quotes: verbatim substrings of an event's text, short enough to read in a report.
 */

const maxQuoteLength = 200;

/**
 * A verbatim quote from `text`: the `preferred` line when it occurs in the text, else the first non-empty line,
 * cut to 200 UTF-16 units without splitting a surrogate pair (a split pair would not survive storage as UTF-8, and
 * the quote would no longer match the stored text).
 */
export function quoteFrom(text: string, preferred: string): string {
  let quote = preferred !== '' && text.includes(preferred) ? preferred : '';
  if (quote === '') {
    quote = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? text;
  }
  if (quote.length > maxQuoteLength) {
    let end = maxQuoteLength;
    const code = quote.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    quote = quote.slice(0, end);
  }
  return quote;
}
