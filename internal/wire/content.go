package wire

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
)

// ErrTooLarge is Decode's answer for a body that inflates past its limit.
var ErrTooLarge = errors.New("inflates past the limit")

// ErrUnknownEncoding is Decode's answer for a Content-Encoding other than none, identity,
// gzip and x-gzip.
var ErrUnknownEncoding = errors.New("an unknown Content-Encoding")

// Decode undoes the Content-Encoding encoding of b, inflating at most limit bytes.
func Decode(encoding string, b []byte, limit int) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
		return b, nil
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
		switch {
		case err != nil:
			return nil, err
		case len(out) > limit:
			return nil, ErrTooLarge
		}
		return out, nil
	}
	return nil, ErrUnknownEncoding
}

// JSON reports whether the media type mt (parsed, without parameters) is JSON:
// application/json or a +json type (RFC 6839).
func JSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// Body is a response body that reads r and closes c, the original: a body bounded, cut or
// put back after it was read.
func Body(r io.Reader, c io.Closer) io.ReadCloser { return &body{r, c} }

// FailAfter reads r, then fails with err, as the body whose reading failed did.
func FailAfter(r io.Reader, err error) io.Reader { return io.MultiReader(r, errReader{err}) }

type body struct {
	io.Reader
	c io.Closer
}

func (b *body) Close() error { return b.c.Close() }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
