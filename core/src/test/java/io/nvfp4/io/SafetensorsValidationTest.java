package io.nvfp4.io;

import io.nvfp4.io.SafetensorsFormatException.Rule;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * Malformed files: every rule of the reference reader, and this reader's additions, gives a
 * {@link SafetensorsFormatException} naming the file, the tensor and the rule.
 */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private static byte[] file(String header, int dataBytes) {
        return RawFiles.file(header, new byte[dataBytes]);
    }

    static Stream<Arguments> malformed() {
        String a8 = entry("a", "U8", "[8]", 0, 8);
        return Stream.of(
                Arguments.of("shorter than 8 bytes", new byte[] {1, 0, 0}, Rule.HEADER_TOO_SMALL, null),
                Arguments.of("header longer than 100 MB", RawFiles.withLength(100_000_001L, new byte[16]), Rule.HEADER_TOO_LARGE, null),
                Arguments.of("header length beyond 2^63", RawFiles.withLength(-1L, new byte[16]), Rule.HEADER_TOO_LARGE, null),
                Arguments.of("truncated header", Arrays.copyOf(file("{" + a8 + "}", 8), 20), Rule.INVALID_HEADER_LENGTH, null),
                Arguments.of("truncated data", Arrays.copyOf(file("{" + a8 + "}", 8), 8 + ("{" + a8 + "}").length() + 5),
                        Rule.METADATA_INCOMPLETE_BUFFER, null),
                Arguments.of("trailing bytes", file("{" + a8 + "}", 9), Rule.METADATA_INCOMPLETE_BUFFER, null),
                Arguments.of("invalid UTF-8", RawFiles.file(new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', ':', '1', '}'}, new byte[0]),
                        Rule.INVALID_HEADER, null),
                Arguments.of("overlong UTF-8", RawFiles.file(new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', '}'}, new byte[0]),
                        Rule.INVALID_HEADER, null),
                Arguments.of("bad JSON", file("{\"a\":{\"dtype\":", 0), Rule.INVALID_HEADER_DESERIALIZATION, null),
                Arguments.of("not an object", file("[1,2]", 0), Rule.INVALID_HEADER_DESERIALIZATION, null),
                Arguments.of("content after the object", file("{" + a8 + "}{}", 8), Rule.INVALID_HEADER_DESERIALIZATION, null),
                Arguments.of("leading space (strict)", file(" {" + a8 + "}", 8), Rule.INVALID_HEADER_DESERIALIZATION, null),
                Arguments.of("padding that is not spaces", file("{" + a8 + "}\u0000\u0000", 8), Rule.INVALID_HEADER_DESERIALIZATION, null),
                Arguments.of("missing data_offsets", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[8]}}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "a"),
                Arguments.of("three offsets", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,4,8]}}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "a"),
                Arguments.of("negative dimension", file("{" + entry("a", "U8", "[-8]", 0, 8) + "}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "a"),
                Arguments.of("fractional dimension", file("{" + entry("a", "U8", "[8.0]", 0, 8) + "}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "a"),
                Arguments.of("unknown key (strict)", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[0,8],\"x\":1}}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "a"),
                Arguments.of("metadata value not a string", file("{\"__metadata__\":{\"n\":1}," + a8 + "}", 8),
                        Rule.INVALID_HEADER_DESERIALIZATION, "__metadata__"),
                Arguments.of("duplicate tensor", file("{" + a8 + "," + entry("a", "U8", "[8]", 8, 16) + "}", 16),
                        Rule.DUPLICATE_KEY, "a"),
                Arguments.of("duplicate key in an entry", file("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"I8\",\"shape\":[8],\"data_offsets\":[0,8]}}", 8),
                        Rule.DUPLICATE_KEY, "a"),
                Arguments.of("duplicate metadata key", file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}," + a8 + "}", 8),
                        Rule.DUPLICATE_KEY, "__metadata__"),
                Arguments.of("unknown dtype", file("{" + entry("a", "F128", "[1]", 0, 16) + "}", 16), Rule.UNKNOWN_DTYPE, "a"),
                Arguments.of("dtype in lower case", file("{" + entry("a", "f32", "[2]", 0, 8) + "}", 8), Rule.UNKNOWN_DTYPE, "a"),
                Arguments.of("overlapping offsets", file("{" + a8 + "," + entry("b", "U8", "[8]", 4, 12) + "}", 12),
                        Rule.INVALID_OFFSET, "b"),
                Arguments.of("a hole", file("{" + a8 + "," + entry("b", "U8", "[8]", 12, 20) + "}", 20), Rule.INVALID_OFFSET, "b"),
                Arguments.of("not starting at 0", file("{" + entry("a", "U8", "[8]", 4, 12) + "}", 12), Rule.INVALID_OFFSET, "a"),
                Arguments.of("end before begin", file("{" + entry("a", "U8", "[0]", 8, 0) + "}", 8), Rule.INVALID_OFFSET, "a"),
                Arguments.of("wrong dtype size", file("{" + entry("a", "F32", "[3]", 0, 8) + "}", 8), Rule.TENSOR_INVALID_INFO, "a"),
                Arguments.of("odd F4 count", file("{" + entry("a", "F4", "[3]", 0, 2) + "}", 2), Rule.MISALIGNED_SLICE, "a"),
                Arguments.of("F6 count not a multiple of 4", file("{" + entry("a", "F6_E3M2", "[2]", 0, 2) + "}", 2),
                        Rule.MISALIGNED_SLICE, "a"),
                Arguments.of("element count overflow", file("{" + entry("a", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8),
                        Rule.VALIDATION_OVERFLOW, "a"),
                Arguments.of("dimension beyond 64 bits", file("{" + entry("a", "U8", "[18446744073709551616]", 0, 8) + "}", 8),
                        Rule.VALIDATION_OVERFLOW, "a"),
                Arguments.of("name too long", file("{" + entry("n".repeat(SafetensorsFile.MAX_NAME_LENGTH + 1), "U8", "[8]", 0, 8) + "}", 8),
                        Rule.NAME_TOO_LONG, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedFilesNameTheFileTheTensorAndTheRule(String what, byte[] bytes, Rule rule, String tensor) throws IOException {
        Path file = RawFiles.write(dir, "bad.safetensors", bytes);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOfSatisfying(SafetensorsFormatException.class, e -> {
                    assertThat(e.rule()).isEqualTo(rule);
                    assertThat(e.file()).isEqualTo(file);
                    assertThat(e.getMessage()).contains(file.toString(), rule.name());
                    if (tensor != null) {
                        assertThat(e.tensor()).isEqualTo(tensor);
                        assertThat(e.getMessage()).contains("'" + tensor + "'");
                    }
                });
        // The header-only read applies the same rules.
        assertThatThrownBy(() -> SafetensorsFile.readHeader(file)).isInstanceOfSatisfying(SafetensorsFormatException.class,
                e -> assertThat(e.rule()).isEqualTo(rule));
    }

    @Test
    void messagesSayWhetherOffsetsOverlapOrLeaveAHole() throws IOException {
        Path overlap = RawFiles.write(dir, "o.safetensors",
                file("{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[8]", 4, 12) + "}", 12));
        Path hole = RawFiles.write(dir, "h.safetensors",
                file("{" + entry("a", "U8", "[8]", 0, 8) + "," + entry("b", "U8", "[8]", 12, 20) + "}", 20));

        assertThatThrownBy(() -> SafetensorsFile.open(overlap)).hasMessageContaining("overlapping");
        assertThatThrownBy(() -> SafetensorsFile.open(hole)).hasMessageContaining("a hole of 4 bytes");
    }

    @Test
    void nullMetadataAndZeroSizedTensorsAreValid() throws IOException {
        String header = "{\"__metadata__\":null," + entry("e", "F32", "[0,3]", 0, 0) + "," + entry("f", "F16", "[]", 0, 2) + "}";
        Path file = RawFiles.write(dir, "ok.safetensors", file(header, 2));
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.header().metadata()).isEmpty();
            assertThat(f.header().names()).containsExactly("e", "f");
        }
    }

    /** Fuzzing light: a valid file with bytes changed fails only with the documented exception, or reads. */
    @Property(tries = 300)
    void corruptedFilesFailOnlyWithTheFormatException(@ForAll @IntRange(min = 0, max = 150) int position,
                                                      @ForAll byte value, @ForAll @IntRange(min = 0, max = 140) int cut)
            throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"}," + entry("a", "F32", "[2,2]", 0, 16) + ","
                + entry("b", "F4", "[4]", 16, 18) + "}";
        byte[] bytes = file(header, 18);
        bytes[Math.min(position, bytes.length - 1)] = value;
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - Math.min(cut, bytes.length));
        Path tmp = Files.createTempFile("fuzz", ".safetensors");
        try {
            Files.write(tmp, truncated);
            try (SafetensorsFile f = SafetensorsFile.open(tmp, SafetensorsFile.Mode.LENIENT)) {
                assertThat(f.header().dataOffset() + f.header().tensors().stream().mapToLong(TensorInfo::byteSize).sum())
                        .isEqualTo(truncated.length);
            } catch (SafetensorsFormatException expected) {
                assertThat(expected.getMessage()).contains(tmp.toString());
            } catch (IOException | RuntimeException e) {
                fail("unexpected " + e + " for " + new String(truncated, StandardCharsets.ISO_8859_1));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
