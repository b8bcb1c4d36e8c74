/**
 * Keeps the last `chars` characters a child process writes to a stream, for the error that
 * names why it failed: enough to hold its last message, bounded however much it writes.
 */
export function keepTail(stream: NodeJS.ReadableStream, chars = 4000): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-chars);
  });
  return () => text;
}
