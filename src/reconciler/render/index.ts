export { renderText } from './text.js';
export { renderJson } from './json.js';
export { renderMarkdown } from './markdown.js';
