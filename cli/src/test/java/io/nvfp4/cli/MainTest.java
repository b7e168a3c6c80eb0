package io.nvfp4.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    @Test
    void helpListsTheCommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: nvfp4", "formats", "quantize-demo");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void versionNamesTheJdk() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("nvfp4 ").contains(Runtime.version().toString());
    }

    @Test
    void badOptionValueIsOneLineAndExitCode2() {
        CliRun run = CliRun.of("quantize-demo", "--rows", "many");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("nvfp4 quantize-demo: ")
                .contains("--rows", "'many'")
                .endsWith("(see 'nvfp4 quantize-demo --help')");
    }

    @Test
    void unknownOptionIsAUsageError() {
        CliRun run = CliRun.of("formats", "--jsn");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString().contains("--jsn");
    }

    @Test
    void misspelledCommandGetsASuggestion() {
        CliRun run = CliRun.of("format");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines()).singleElement().asString().contains("'format'", "did you mean formats");
    }

    @Test
    void noCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("missing command", "formats", "quantize-demo");
    }
}
