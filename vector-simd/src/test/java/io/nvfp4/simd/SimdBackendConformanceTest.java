package io.nvfp4.simd;

import io.nvfp4.backend.Backend;
import io.nvfp4.testkit.BackendConformance;

/** The shared backend conformance suite (testkit), run against the Panama backend. */
class SimdBackendConformanceTest extends BackendConformance {
    @Override
    protected Backend backend() {
        return new SimdBackend();
    }
}
