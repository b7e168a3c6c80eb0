package io.nvfp4.cli;

import io.nvfp4.format.BlockFormat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class FormatsCommandTest {
    /** A flat JSON object of string, number and boolean members: what every --json line must be. */
    private static final Pattern FLAT_JSON_OBJECT;

    static {
        String string = "\"(?:[^\"\\\\\\p{Cntrl}]|\\\\[\"\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*\"";
        String number = "-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?";
        String member = string + ":(?:" + string + "|" + number + "|true|false|null)";
        FLAT_JSON_OBJECT = Pattern.compile("\\{(?:" + member + "(?:," + member + ")*)?}");
    }

    @Test
    void tableHasARowPerFormat() {
        CliRun run = CliRun.of("formats");

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        for (BlockFormat f : BlockFormat.values()) {
            assertThat(lines).as(f.name()).filteredOn(l -> l.startsWith(f.name() + " ")).hasSize(1);
        }
        String nvfp4 = lines.stream().filter(l -> l.startsWith("NVFP4 ")).findFirst().orElseThrow();
        assertThat(nvfp4.split(" +")).containsExactly("NVFP4", "E2M1", "16", "UE4M3", "yes", "(FP32)", "4.5", "0.5625");
        String mxfp4 = lines.stream().filter(l -> l.startsWith("MXFP4 ")).findFirst().orElseThrow();
        assertThat(mxfp4.split(" +")).containsExactly("MXFP4", "E2M1", "32", "E8M0", "no", "4.25", "0.53125");
        assertThat(run.out()).contains("FP6 codes take one byte each");
    }

    @Test
    void jsonIsOneValidObjectPerFormat() {
        CliRun run = CliRun.of("formats", "--json");

        assertThat(run.exitCode()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(BlockFormat.values().length).allMatch(l -> FLAT_JSON_OBJECT.matcher(l).matches());
        assertThat(lines.stream().map(l -> l.substring(0, l.indexOf(',')))).containsExactlyElementsOf(
                Arrays.stream(BlockFormat.values()).map(f -> "{\"name\":\"" + f.name() + "\"").toList());
        assertThat(lines.getFirst()).isEqualTo("{\"name\":\"NVFP4\",\"elementType\":\"E2M1\",\"blockSize\":16,"
                + "\"scaleType\":\"UE4M3\",\"tensorScale\":true,\"bitsPerWeight\":4.5,\"bytesPerWeight\":0.5625}");
    }

    @Test
    void theJsonCheckRejectsInvalidJson() {
        assertThat(FLAT_JSON_OBJECT.matcher("{\"a\":1,\"b\":\"x\"}").matches()).isTrue();
        assertThat(FLAT_JSON_OBJECT.matcher("{\"a\":1,}").matches()).isFalse();
        assertThat(FLAT_JSON_OBJECT.matcher("{\"a\":NaN}").matches()).isFalse();
        assertThat(FLAT_JSON_OBJECT.matcher("{\"a\":\"x\"y\"}").matches()).isFalse();
        assertThat(FLAT_JSON_OBJECT.matcher("{a:1}").matches()).isFalse();
    }
}
