export { renderText } from './text.js';
export { renderJson } from './json.js';
export { PR_COMMENT_LIMIT, renderMarkdown, type MarkdownOptions } from './markdown.js';
export { renderContext, type RenderContext } from './render-context.js';
export { ENTRY_NAMES, nameEntry, portsName, type EntryNamer } from './name-entry.js';
export { visible } from './escape.js';
