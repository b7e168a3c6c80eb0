package io.nvfp4.simd;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether this JVM can run the Vector API kernels well, decided the way Lucene's vectorization
 * provider decides it (notes/simd-lessons.md section 3), in an order that touches
 * {@code jdk.incubator.vector} only after every other check has passed: the runtime's feature
 * version, a HotSpot VM with the C2 compiler (not interpreted, not C1 only, not JVMCI/Graal), the
 * FMA instruction, the incubator module in the boot layer, and finally (in {@link VectorProbe}, the
 * first class that links Vector API types) preferred float vectors of at least 256 bits and a
 * working vector operation.
 *
 * <p>Never throws: anything unexpected makes the backend unsupported, with the reason.
 */
final class SimdSupport {
    /** The JDK feature version the kernels were written and tested against. */
    static final int TESTED_FEATURE_VERSION = 25;
    /** Raises the newest JDK feature version accepted (the incubator API may change between releases). */
    static final String UPPER_VERSION_PROPERTY = "nvfp4.simd.upperJavaFeatureVersion";
    /** Forces the vector width in bits (256 or 512, capped at the preferred width), e.g. to compare speeds. */
    static final String BITS_PROPERTY = "nvfp4.simd.bits";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /** The outcome: supported with a description of the vectors, or not with the reason. */
    record Status(boolean supported, String detail) {}

    private SimdSupport() {}

    /** The status of this JVM; computed once by {@link SimdBackend}. */
    static Status probe() {
        try {
            return probeUnchecked();
        } catch (Throwable t) { // LinkageError, SecurityException, anything: the scalar reference still works
            return new Status(false, "probing the Vector API failed: " + t);
        }
    }

    private static Status probeUnchecked() {
        int feature = Runtime.version().feature();
        int upper = Integer.getInteger(UPPER_VERSION_PROPERTY, TESTED_FEATURE_VERSION);
        if (feature > upper) {
            return new Status(false, "Java " + feature + " is newer than the tested " + upper
                    + " (the incubating Vector API changes between releases); set -D" + UPPER_VERSION_PROPERTY
                    + "=" + feature + " to try it anyway");
        }
        String vmName = System.getProperty("java.vm.name", "");
        if (!vmName.contains("HotSpot") && !vmName.contains("OpenJDK")) {
            return new Status(false, "VM '" + vmName + "' is not HotSpot, whose C2 compiler the kernels rely on");
        }
        String vmInfo = System.getProperty("java.vm.info", "").toLowerCase(Locale.ROOT);
        if (vmInfo.contains("interpreted mode")) {
            return new Status(false, "the JIT is off (interpreted mode): Vector API code would run boxed");
        }
        if (vmInfo.contains("emulated-client")) {
            return new Status(false, "C2 is disabled (client emulation, e.g. -XX:TieredStopAtLevel=1)");
        }
        Optional<String> jvmci = vmOption("UseJVMCICompiler");
        if (jvmci.isPresent() && Boolean.parseBoolean(jvmci.get())) {
            return new Status(false, "the JIT is JVMCI (Graal), not C2");
        }
        Optional<String> stopAt = vmOption("TieredStopAtLevel");
        Optional<String> tiered = vmOption("TieredCompilation");
        if (stopAt.isPresent() && tiered.map(Boolean::parseBoolean).orElse(true)
                && Integer.parseInt(stopAt.get()) < 4) {
            return new Status(false, "C2 is disabled (-XX:TieredStopAtLevel=" + stopAt.get() + ")");
        }
        Optional<String> fma = vmOption("UseFMA");
        if (fma.isPresent() && !Boolean.parseBoolean(fma.get())) {
            return new Status(false, "the CPU or VM has no FMA (-XX:-UseFMA): vector fma would be emulated");
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return new Status(false, "module " + VECTOR_MODULE + " is not in the boot layer; add"
                    + " --add-modules " + VECTOR_MODULE);
        }
        return VectorProbe.check(); // the first Vector API class linked
    }

    /** A VM flag's value through HotSpotDiagnosticMXBean, if jdk.management is present. */
    private static Optional<String> vmOption(String name) {
        if (ModuleLayer.boot().findModule("jdk.management").isEmpty()) {
            return Optional.empty();
        }
        return Management.option(name);
    }

    /** Kept apart so that com.sun.management is linked only when its module is present. */
    private static final class Management {
        static Optional<String> option(String name) {
            try {
                var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
                return bean == null ? Optional.empty() : Optional.of(bean.getVMOption(name).getValue());
            } catch (RuntimeException | LinkageError e) { // unknown flag, no management
                return Optional.empty();
            }
        }
    }
}
