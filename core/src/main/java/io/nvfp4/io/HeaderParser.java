package io.nvfp4.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.nvfp4.io.SafetensorsFormatException.Rule;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a safetensors header exactly as the reference Rust reader does
 * ({@code SafeTensors::read_metadata} and {@code Metadata::validate} in {@code safetensors/src/tensor.rs}),
 * plus duplicate-key, dtype, tensor-count and name-length checks. Every violation is a
 * {@link SafetensorsFormatException} naming the file, the tensor and the rule.
 */
final class HeaderParser {
    // Names are checked against MAX_NAME_LENGTH here, with this class's rule and message; jackson's
    // own (lower) default name limit must not fire first with a message of its own.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNameLength(SafetensorsFile.MAX_NAME_LENGTH * 4 + 16)
                    .build())
            .build();

    private final Path file;
    private final SafetensorsFile.Mode mode;

    private HeaderParser(Path file, SafetensorsFile.Mode mode) {
        this.file = file;
        this.mode = mode;
    }

    /** Rules 1 to 3: the header length N from the file's first 8 bytes and the file size. */
    static long headerLength(Path file, ByteBuffer first8, long fileSize) throws SafetensorsFormatException {
        if (fileSize < 8) {
            throw new SafetensorsFormatException(file, null, Rule.HEADER_TOO_SMALL,
                    "the file has " + fileSize + " bytes");
        }
        long n = first8.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n < 0 || n > SafetensorsFile.MAX_HEADER_SIZE) {
            throw new SafetensorsFormatException(file, null, Rule.HEADER_TOO_LARGE,
                    "the header length is " + Long.toUnsignedString(n) + " bytes");
        }
        if (8 + n > fileSize) {
            throw new SafetensorsFormatException(file, null, Rule.INVALID_HEADER_LENGTH,
                    "the header length is " + n + " bytes but the file has only " + fileSize + " bytes (truncated?)");
        }
        return n;
    }

    /** Rules 4 to 9 on the header bytes. */
    static SafetensorsHeader parse(Path file, byte[] header, long fileSize, SafetensorsFile.Mode mode)
            throws SafetensorsFormatException {
        return new HeaderParser(file, mode).parse(header, fileSize);
    }

    private SafetensorsHeader parse(byte[] header, long fileSize) throws SafetensorsFormatException {
        String text = decodeUtf8(header);
        if (mode == SafetensorsFile.Mode.STRICT && (header.length == 0 || header[0] != '{')) {
            throw error(null, Rule.INVALID_HEADER_DESERIALIZATION, "the header must start with '{'");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw error(null, Rule.INVALID_HEADER_DESERIALIZATION, "the header is not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (name.length() > SafetensorsFile.MAX_NAME_LENGTH) {
                    throw error(name.substring(0, 64) + "...", Rule.NAME_TOO_LONG,
                            "the name has " + name.length() + " characters");
                }
                if (!seen.add(name)) {
                    throw error(name, Rule.DUPLICATE_KEY, "the name appears twice in the header");
                }
                p.nextToken();
                if (name.equals(SafetensorsFile.METADATA_KEY)) {
                    readMetadata(p, metadata);
                } else {
                    if (tensors.size() == SafetensorsFile.MAX_TENSORS) {
                        throw error(null, Rule.TOO_MANY_TENSORS, "the header lists more than "
                                + SafetensorsFile.MAX_TENSORS + " tensors");
                    }
                    tensors.add(readTensor(p, name));
                }
            }
            if (p.nextToken() != null) {
                throw error(null, Rule.INVALID_HEADER_DESERIALIZATION, "content after the header's JSON object");
            }
        } catch (SafetensorsFormatException e) {
            throw e;
        } catch (JsonProcessingException e) {
            throw error(null, Rule.INVALID_HEADER_DESERIALIZATION, "invalid JSON: " + e.getOriginalMessage()
                    + " at character " + e.getLocation().getCharOffset());
        } catch (IOException e) {
            throw error(null, Rule.INVALID_HEADER_DESERIALIZATION, "invalid JSON: " + e.getMessage());
        }
        if (mode == SafetensorsFile.Mode.STRICT) {
            checkPadding(header);
        }
        long dataEnd = validateOffsets(tensors);
        long expected = 8 + header.length + dataEnd;
        if (expected != fileSize) {
            throw error(null, Rule.METADATA_INCOMPLETE_BUFFER, "the tensors end at file byte " + expected
                    + " but the file has " + fileSize + " bytes"
                    + (fileSize < expected ? " (truncated?)" : " (trailing bytes)"));
        }
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        return new SafetensorsHeader(file, header.length, fileSize, metadata, tensors);
    }

    /** Rule 4: the header is UTF-8, checked byte by byte (overlong forms and lone surrogates too). */
    private String decodeUtf8(byte[] header) throws SafetensorsFormatException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        CharBuffer out = CharBuffer.allocate(header.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw error(null, Rule.INVALID_HEADER, "invalid UTF-8 at header byte " + in.position());
        }
        return out.flip().toString();
    }

    /** The README's rule: only spaces (0x20) may pad the header after its JSON object. */
    private void checkPadding(byte[] header) throws SafetensorsFormatException {
        int i = header.length - 1;
        while (i >= 0 && header[i] == ' ') {
            i--;
        }
        if (i < 0 || header[i] != '}') {
            throw error(null, Rule.INVALID_HEADER_DESERIALIZATION,
                    "the header may be padded with spaces only, found byte 0x"
                            + Integer.toHexString(i < 0 ? 0 : header[i] & 0xFF) + " after the JSON object");
        }
    }

    private void readMetadata(JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return; // the Rust reader's Option<HashMap<String, String>> takes null as "no metadata"
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(SafetensorsFile.METADATA_KEY, Rule.INVALID_HEADER_DESERIALIZATION,
                    "__metadata__ must be an object of strings");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (metadata.containsKey(key)) {
                throw error(SafetensorsFile.METADATA_KEY, Rule.DUPLICATE_KEY, "metadata key '" + key + "' appears twice");
            }
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw error(SafetensorsFile.METADATA_KEY, Rule.INVALID_HEADER_DESERIALIZATION,
                        "metadata value of '" + key + "' must be a string, found " + p.currentToken());
            }
            metadata.put(key, p.getText());
        }
    }

    private TensorInfo readTensor(JsonParser p, String name) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "the entry must be an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            switch (key) {
                case "dtype" -> {
                    if (dtypeName != null) {
                        throw error(name, Rule.DUPLICATE_KEY, "'dtype' appears twice");
                    }
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "'dtype' must be a string");
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> {
                    if (shape != null) {
                        throw error(name, Rule.DUPLICATE_KEY, "'shape' appears twice");
                    }
                    shape = readIntegers(p, name, "shape");
                }
                case "data_offsets" -> {
                    if (offsets != null) {
                        throw error(name, Rule.DUPLICATE_KEY, "'data_offsets' appears twice");
                    }
                    offsets = readIntegers(p, name, "data_offsets");
                    if (offsets.length != 2) {
                        throw error(name, Rule.INVALID_HEADER_DESERIALIZATION,
                                "'data_offsets' must hold two numbers, holds " + offsets.length);
                    }
                }
                default -> {
                    if (mode == SafetensorsFile.Mode.STRICT) {
                        throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "unknown key '" + key
                                + "' (only dtype, shape and data_offsets are allowed; read in lenient mode to ignore it)");
                    }
                    p.skipChildren();
                }
            }
        }
        if (dtypeName == null || shape == null || offsets == null) {
            throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "missing "
                    + (dtypeName == null ? "'dtype'" : shape == null ? "'shape'" : "'data_offsets'"));
        }
        String d = dtypeName;
        SafetensorsDType dtype = SafetensorsDType.fromHeaderName(d)
                .orElseThrow(() -> error(name, Rule.UNKNOWN_DTYPE, "unknown dtype '" + d + "'"));
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private long[] readIntegers(JsonParser p, String name, String key) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "'" + key + "' must be an array of integers");
        }
        long[] values = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "'" + key + "' must hold non-negative integers, found "
                        + p.getText());
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw error(name, Rule.VALIDATION_OVERFLOW, "'" + key + "' holds " + p.getText() + ", beyond 64 bits");
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw error(name, Rule.INVALID_HEADER_DESERIALIZATION, "'" + key + "' holds the negative number " + v);
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }
        return Arrays.copyOf(values, n);
    }

    /**
     * Rules 5 to 8 in the Rust reader's order: tensors sorted by offsets must tile [0, end) without
     * holes or overlaps, and each range must be exactly dtype size x element count. Returns the end.
     */
    private long validateOffsets(List<TensorInfo> tensors) throws SafetensorsFormatException {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long start = 0;
        String previous = null;
        for (TensorInfo t : sorted) {
            if (t.end() < t.begin()) {
                throw error(t.name(), Rule.INVALID_OFFSET, "data_offsets [" + t.begin() + ", " + t.end()
                        + "] end before they begin");
            }
            if (t.begin() != start) {
                String where = previous == null ? "the first tensor must start at 0"
                        : "the previous tensor '" + previous + "' ends at " + start;
                throw error(t.name(), Rule.INVALID_OFFSET, "data starts at " + t.begin() + " but " + where
                        + (t.begin() > start ? " (a hole of " + (t.begin() - start) + " bytes)" : " (overlapping data)"));
            }
            start = t.end();
            previous = t.name();
            long bytes;
            try {
                bytes = t.dtype().byteSize(TensorSpec.numel(t.shape()));
            } catch (ArithmeticException e) {
                throw error(t.name(), Rule.VALIDATION_OVERFLOW, "shape " + Arrays.toString(t.shape()) + " of "
                        + t.dtype() + " overflows 64 bits");
            }
            if (bytes < 0) {
                throw error(t.name(), Rule.MISALIGNED_SLICE, t.numel() + " elements of " + t.dtype()
                        + " (" + t.dtype().bits() + " bits each) do not fill whole bytes");
            }
            if (t.byteSize() != bytes) {
                throw error(t.name(), Rule.TENSOR_INVALID_INFO, t.dtype() + Arrays.toString(t.shape()) + " needs "
                        + bytes + " bytes but data_offsets [" + t.begin() + ", " + t.end() + "] hold " + t.byteSize());
            }
        }
        return start;
    }

    private SafetensorsFormatException error(String tensor, Rule rule, String detail) {
        return new SafetensorsFormatException(file, tensor, rule, detail);
    }
}
