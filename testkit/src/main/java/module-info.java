/**
 * nvfp4-testkit: the conformance suite every {@link io.nvfp4.backend.Backend} runs against the scalar
 * reference, and the test matrices, input views and accuracy assertions it is built from.
 *
 * <p>The module is open: JUnit and jqwik call the suite's inherited test methods reflectively.
 */
open module io.nvfp4.testkit {
    requires transitive io.nvfp4.core;
    requires transitive org.junit.jupiter.api;
    requires transitive net.jqwik.api;
    requires transitive org.assertj.core;

    exports io.nvfp4.testkit;
}
