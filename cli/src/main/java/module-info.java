/**
 * The {@code nvfp4} command-line tool. Run it from a checkout with the {@code ./nvfp4} launcher.
 */
module io.nvfp4.cli {
    requires io.nvfp4.core;
    requires io.nvfp4.examples;
    requires info.picocli;

    // picocli fills the commands' option fields and reads their annotations reflectively.
    opens io.nvfp4.cli to info.picocli;
}
