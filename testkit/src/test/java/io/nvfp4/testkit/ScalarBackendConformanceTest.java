package io.nvfp4.testkit;

import io.nvfp4.backend.Backend;
import io.nvfp4.backend.ScalarBackend;

/** The reference passes its own suite: the suite asks nothing the reference does not do. */
class ScalarBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend backend() {
        return new ScalarBackend();
    }
}
