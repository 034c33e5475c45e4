package io.affinity.training.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Decodes bytes to text and fails on bytes that are not valid in the charset, naming the line. An
 * {@link java.io.InputStreamReader} replaces them with U+FFFD without a word: a Windows-1252 export read as UTF-8
 * then turns {@code jürgen} and {@code jörgen} into one customer {@code j\uFFFDrgen}. Lines are counted as the
 * CSV reader counts them (LF, CR LF and a lone CR each end one), so the line named is the file's physical line.
 * A byte order mark at the start is dropped: it is no text, and left in it glued itself to the first header name,
 * so that a quoted one ({@code \uFEFF"Invoice"}) was not read as quoted and matched no column.
 */
public final class StrictTextReader extends Reader {
    private static final int BUFFER = 1 << 16;

    private final InputStream in;
    private final Charset charset;
    private final CharsetDecoder decoder;
    /** The option setting the file's encoding; null when none does ({@link #only}). */
    private final String encodingOption;
    private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip();
    private boolean eof;
    private boolean endDecoded;
    private boolean flushed;
    private long line = 1;
    private boolean lastWasCr;
    private boolean lastWasBreak;
    private boolean atStart = true;

    public StrictTextReader(InputStream in, Charset charset) {
        this(in, charset, "--encoding");
    }

    /**
     * @param encodingOption the command-line option that sets this file's encoding, named in the hint of an
     *                       undecodable byte (the consent file has its own, {@code --consent-encoding})
     */
    public StrictTextReader(InputStream in, Charset charset, String encodingOption) {
        this(in, charset, Objects.requireNonNull(encodingOption, "encodingOption"), true);
    }

    /**
     * A file read in {@code charset} and nothing else (no option chooses its encoding, as for the
     * {@code --exclude-customers} list): an undecodable byte's hint says to save the file in it, rather than name an
     * option that does not apply to the file.
     */
    public static StrictTextReader only(InputStream in, Charset charset) {
        return new StrictTextReader(in, charset, null, false);
    }

    private StrictTextReader(InputStream in, Charset charset, String encodingOption, boolean optionExists) {
        this.in = Objects.requireNonNull(in, "in");
        this.charset = Objects.requireNonNull(charset, "charset");
        this.encodingOption = optionExists ? encodingOption : null;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** Thrown by {@link #read} for bytes the charset cannot decode; the message says why and what to do. */
    public static final class UndecodableInputException extends CharacterCodingException {
        private static final long serialVersionUID = 1L;
        private final long line;
        private final String reason;

        UndecodableInputException(long line, String reason) {
            this.line = line;
            this.reason = reason;
        }

        /** The physical line (1 = the first) holding the bad bytes. */
        public long line() {
            return line;
        }

        /** Why the bytes do not decode, and what to pass instead. */
        public String reason() {
            return reason;
        }

        @Override
        public String getMessage() {
            return "line " + line + ": " + reason;
        }

        /** {@code file:line: reason}, for the reader of {@code file}. */
        public String describe(Object file) {
            return file + ":" + line + ": " + reason;
        }
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (atStart) {
            checkByteOrderMark();
        }
        int n = decode(cbuf, off, len);
        if (atStart && n > 0) {
            atStart = false;
            if (cbuf[off] == '\uFEFF') {
                System.arraycopy(cbuf, off + 1, cbuf, off, n - 1);
                n = n > 1 ? n - 1 : decode(cbuf, off, len);
            }
        }
        return n;
    }

    private int decode(char[] cbuf, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, cbuf.length);
        if (len == 0) {
            return 0;
        }
        CharBuffer out = CharBuffer.wrap(cbuf, off, len);
        while (out.position() == off && !flushed) {
            if (endDecoded) {
                if (decoder.flush(out).isUnderflow()) {
                    flushed = true;
                }
                break;
            }
            CoderResult r = decoder.decode(bytes, out, eof);
            if (r.isError()) {
                countLines(cbuf, off, out.position());
                throw new UndecodableInputException(line, why(r));
            }
            if (r.isOverflow()) {
                break;
            }
            if (eof) {
                endDecoded = true; // an incomplete sequence at the end was reported as malformed just above
            } else if (out.position() > off) {
                break; // hand over what is decoded rather than block for more input
            } else {
                fill();
            }
        }
        if (out.position() == off && flushed) {
            return -1;
        }
        countLines(cbuf, off, out.position());
        return out.position() - off;
    }

    /**
     * Fails when the file's byte order mark names another encoding than the one it is read in. Excel's "Unicode Text"
     * is UTF-16: read as UTF-8 its first byte fails, and the usual hint (Windows-1252) decodes it without error into
     * text with a NUL after every letter. A UTF-8 file (its mark written by Excel's "CSV UTF-8") read as Windows-1252
     * decodes without error too, turning {@code jürgen@…} into {@code jÃ¼rgen@…}: another customer than the API's and
     * the consent list's. The mark says which encoding it is, so this is no guess.
     */
    private void checkByteOrderMark() throws IOException {
        while (!eof && bytes.remaining() < 3) {
            fill();
        }
        int b0 = bytes.remaining() > 0 ? bytes.get(bytes.position()) & 0xff : -1;
        int b1 = bytes.remaining() > 1 ? bytes.get(bytes.position() + 1) & 0xff : -1;
        int b2 = bytes.remaining() > 2 ? bytes.get(bytes.position() + 2) & 0xff : -1;
        String name = charset.name().toUpperCase(Locale.ROOT);
        boolean utf16Mark = b0 == 0xFF && b1 == 0xFE || b0 == 0xFE && b1 == 0xFF;
        boolean wide = name.startsWith("UTF-16") || name.startsWith("UTF-32") || name.startsWith("X-UTF-32");
        if (utf16Mark && !wide) {
            throw new UndecodableInputException(1, String.format(Locale.ROOT, "starts with a UTF-16 byte order mark "
                    + "(0x%02X 0x%02X: Excel's \"Unicode Text\" and other UTF-16 exports), not %s; %s",
                    b0, b1, charset.name(), encodingOption == null ? saveAs() : "pass " + encodingOption + " UTF-16"));
        }
        if (b0 == 0xEF && b1 == 0xBB && b2 == 0xBF && !charset.equals(StandardCharsets.UTF_8)) {
            throw new UndecodableInputException(1, "starts with a UTF-8 byte order mark (0xEF 0xBB 0xBF), not "
                    + charset.name() + "; " + (encodingOption == null ? saveAs() : "pass " + encodingOption + " UTF-8"));
        }
    }

    private void fill() throws IOException {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
            eof = true;
        } else {
            bytes.position(bytes.position() + n);
        }
        bytes.flip();
    }

    private String why(CoderResult r) {
        StringBuilder bad = new StringBuilder();
        for (int i = 0; i < r.length() && bytes.position() + i < bytes.limit(); i++) {
            bad.append(bad.length() == 0 ? "" : " ")
                    .append(String.format(Locale.ROOT, "0x%02X", bytes.get(bytes.position() + i) & 0xff));
        }
        String what = "not valid " + charset.name() + " (byte " + bad + (r.isUnmappable() ? " has no character" : "")
                + ")";
        if (encodingOption == null) {
            return what + "; " + saveAs();
        }
        return charset.equals(StandardCharsets.UTF_8)
                ? what + "; if the export is Windows-1252/Latin-1 pass " + encodingOption + " windows-1252"
                : what + "; check the file's encoding and pass it with " + encodingOption;
    }

    /** The hint for a file no option sets the encoding of. */
    private String saveAs() {
        return "the file is read as " + charset.name() + " only: save it as " + charset.name()
                + (charset.equals(StandardCharsets.UTF_8) ? " (in Excel: \"CSV UTF-8\")" : "");
    }

    private void countLines(char[] cbuf, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = cbuf[i];
            if (c == '\r' || c == '\n' && !lastWasCr) {
                line++;
            }
            lastWasCr = c == '\r';
            lastWasBreak = c == '\r' || c == '\n';
        }
    }

    /**
     * True once the whole text is read when it has more than one line and the last ends without a line break: the
     * mark of a file cut mid-line (a copy or download that stopped), though also of a writer that ends no file with
     * a line break, so it is a sign only together with a last line that does not parse ({@link CsvRecords}).
     */
    public boolean endsMidLine() {
        return flushed && line > 1 && !lastWasBreak;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
