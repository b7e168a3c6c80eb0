package io.nvfp4.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code nvfp4 bench} on tiny shapes: the output's form, never its speed. */
class BenchCommandTest {
    private static final List<String> FIELDS =
            List.of("op", "format", "m", "n", "k", "threads", "gflops", "gbps", "roofline_fraction");
    private static final Pattern MEMBER = Pattern.compile(
            "\"([a-z_]+)\":(\"[^\"\\\\\\p{Cntrl}]*\"|-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)");

    private static final String[] TINY = {"bench", "--backend", "scalar", "--shape", "48x80", "--m", "1,3",
        "--threads", "1,2", "--stream-mib", "1", "--reps", "1", "--warmup-ms", "10", "--batch-ms", "5"};

    @Test
    void jsonHasOneObjectPerRowWithExactlyTheFields() {
        CliRun run = CliRun.of(with(TINY, "--json"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<Map<String, String>> rows = run.out().lines().map(BenchCommandTest::parse).toList();
        assertThat(rows).allSatisfy(r -> assertThat(r.keySet()).containsExactlyElementsOf(FIELDS));
        assertThat(rows).extracting(r -> r.get("op")).containsOnly("\"roofline-memory\"", "\"roofline-fma\"",
                "\"quantize-f32\"", "\"quantize-bf16\"", "\"gemv\"", "\"gemm\"");
        for (String format : List.of("\"NVFP4\"", "\"MXFP4\"")) {
            for (String threads : List.of("1", "2")) {
                assertThat(rows).as("%s gemv on %s threads", format, threads).filteredOn(r -> r.get("op").equals("\"gemv\"")
                        && r.get("format").equals(format) && r.get("threads").equals(threads)).singleElement()
                        .satisfies(r -> assertThat(List.of(r.get("m"), r.get("n"), r.get("k")))
                                .containsExactly("1", "48", "80"));
                assertThat(rows).as("%s gemm on %s threads", format, threads).filteredOn(r -> r.get("op").equals("\"gemm\"")
                        && r.get("format").equals(format) && r.get("threads").equals(threads)).singleElement()
                        .satisfies(r -> assertThat(r.get("m")).isEqualTo("3"));
            }
        }
        for (Map<String, String> r : rows) {
            for (String number : List.of("gflops", "gbps", "roofline_fraction")) {
                assertThat(Double.parseDouble(r.get(number))).as("%s of %s", number, r).isNotNegative();
            }
            if (r.get("op").startsWith("\"roofline")) {
                assertThat(Double.parseDouble(r.get("roofline_fraction"))).isEqualTo(1.0);
                assertThat(r.get("format")).isEqualTo("\"-\"");
            }
        }
        assertThat(run.err()).contains("backend scalar", "JDK " + System.getProperty("java.version"), "processors");
    }

    @Test
    void tablePrintsTheContextTheProbesAndEveryRow() {
        CliRun run = CliRun.of("bench", "--backend", "scalar", "--shape", "40x64", "--m", "1", "--threads", "1,2",
                "--formats", "MXFP4", "--stream-mib", "1", "--reps", "2", "--warmup-ms", "0", "--batch-ms", "0");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("backend scalar", "JDK ", "processors", "roofline-memory", "roofline-fma",
                "quantize-f32", "quantize-bf16", "gemv").doesNotContain("NVFP4");
        assertThat(run.out().lines().filter(l -> l.startsWith("gemv "))).hasSize(2);
        assertThat(run.out().lines().filter(l -> l.startsWith("gemm "))).isEmpty();
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(CliRun.of("bench", "--shape", "64by64").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("bench", "--m", "0").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("bench", "--formats", "MXFP8_E4M3").exitCode()).isEqualTo(2);
        CliRun unknown = CliRun.of("bench", "--backend", "nope");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().lines()).singleElement().asString().contains("no backend named 'nope'");
    }

    /** The members of one flat JSON object, in order, failing unless the line is exactly that. */
    private static Map<String, String> parse(String line) {
        assertThat(line).startsWith("{").endsWith("}");
        Map<String, String> members = new LinkedHashMap<>();
        Matcher m = MEMBER.matcher(line);
        int at = 1;
        while (at < line.length() - 1) {
            assertThat(m.find(at) && m.start() == at).as("a member at %d of %s", at, line).isTrue();
            members.put(m.group(1), m.group(2));
            at = m.end();
            if (line.charAt(at) == ',') {
                at++;
            }
        }
        return members;
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }
}
