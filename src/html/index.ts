// The HTML report renderer: one self-contained page of tables and sequence
// charts. Commands build a `Page` from their own results (src/report/html.ts
// for verify) and call `renderPage`; the chart model is described in
// model.ts.

export type { Cell, CellInput, ChartMessage, ChartStep, Lifeline, Page, SequenceChart, Table, Tone } from './model.js';
export { renderPage, renderTable } from './page.js';
export { renderChart } from './chart.js';
export { esc, safeId } from './escape.js';
