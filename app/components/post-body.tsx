// A post's body: HTML rendered and sanitised on the server
// (app/forum/content.server.ts), never HTML from the browser. Styles are in
// app/components/editor/editor.css (`editorLinks`).
export function PostBody({ html, className }: { html: string; className?: string }) {
  return <div className={className ? `post-body ${className}` : 'post-body'} dangerouslySetInnerHTML={{ __html: html }} />
}
