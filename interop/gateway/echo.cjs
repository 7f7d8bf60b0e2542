// node echo.cjs PORT: answers every request with 200 and the request's headers as JSON, on
// loopback, so that make interop sees what the gateway forwards to its upstream.
const http = require('node:http');
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ headers: req.headers }));
}).listen(Number(process.argv[2]), '127.0.0.1');
