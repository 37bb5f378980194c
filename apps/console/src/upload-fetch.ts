/**
 * A `fetch` for the SDK that sends the request with XMLHttpRequest, which (unlike fetch) reports
 * upload progress. The SDK builds the request (URL, method, headers, auth); the body sent is the
 * original File or FormData, so large files are never copied into memory.
 */
export function uploadFetch(
  body: Blob | FormData,
  onProgress: (sent: number, total: number) => void,
): (request: Request) => Promise<Response> {
  return (request) =>
    new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(request.method, request.url);
      request.headers.forEach((value, name) => {
        // The browser sets the multipart boundary itself.
        if (body instanceof FormData && name.toLowerCase() === 'content-type') return;
        xhr.setRequestHeader(name, value);
      });
      xhr.upload.onprogress = (event) =>
        onProgress(event.loaded, event.lengthComputable ? event.total : body instanceof Blob ? body.size : 0);
      xhr.onload = () => {
        const headers = new Headers();
        for (const line of xhr.getAllResponseHeaders().trim().split(/\r?\n/)) {
          const at = line.indexOf(':');
          if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
        }
        resolve(new Response(xhr.status === 204 ? null : xhr.responseText, { status: xhr.status, statusText: xhr.statusText, headers }));
      };
      xhr.onerror = () => reject(new Error('The connection failed during the upload.'));
      xhr.onabort = () => reject(new Error('The upload was canceled.'));
      request.signal.addEventListener('abort', () => xhr.abort());
      xhr.send(body);
    });
}
