import 'server-only';

/**
 * The request body as text, or null once it grows past `limit` bytes: the limit holds while
 * reading, whatever `Content-Length` said (a chunked body has none).
 *
 * @example
 * const body = await readAtMost(request, 16 * 1024);
 * if (body === null) return tooLarge();
 */
export async function readAtMost(request: Request, limit: number): Promise<string | null> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return null;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
