package io.nvfp4.testkit;

import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The suite is not vacuous: run against a backend with one deliberate fault, the test meant to catch
 * that fault fails; run against a correct backend of its own, every inherited test and property runs
 * (on both engines) and passes.
 */
class BackendConformanceSelfTest {

    @Test
    void aCorrectBackendPassesEveryInheritedTestAndProperty() {
        Set<String> declared = Arrays.stream(BackendConformance.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(Property.class))
                .map(Method::getName).collect(Collectors.toSet());

        Map<String, TestExecutionResult> results = run(BrokenBackends.DelegatingSuite.class, null);

        assertThat(declared).as("the suite's tests").hasSizeGreaterThan(10);
        assertThat(results.keySet()).as("tests run").isEqualTo(declared);
        assertThat(results.values()).allSatisfy(r -> assertThat(r.getStatus()).as(r.toString())
                .isEqualTo(TestExecutionResult.Status.SUCCESSFUL));
    }

    @Test
    void aWrongCodeByteFailsTheQuantizeProperty() {
        assertFails(BrokenBackends.FlipsACodeBitSuite.class, "quantizeAndDequantizeMatchTheReference");
    }

    @Test
    void flushedSubnormalsFailTheDequantizeProperty() {
        assertFails(BrokenBackends.FlushesSubnormalsSuite.class, "dequantizeRowMatchesTheReferenceOnAnyBytes");
    }

    @Test
    void anErrorBeyondTheBoundFailsTheMatmulProperty() {
        assertFails(BrokenBackends.SloppySuite.class, "matmulIsWithinTheFp32BoundOfTheExactProduct");
    }

    @Test
    void aPoolSizeDependentSumFails() {
        assertFails(BrokenBackends.PoolDependentSuite.class, "matmulDoesNotDependOnThePoolSize");
    }

    @Test
    void sharedScratchFailsTheConcurrencyTest() {
        assertFails(BrokenBackends.SharesScratchSuite.class, "onePreparedWeightServesEightThreadsAtOnce");
    }

    @Test
    void usingAClosedWeightFails() {
        assertFails(BrokenBackends.IgnoresCloseSuite.class, "closedWeightIsRejected");
    }

    private static void assertFails(Class<?> suite, String method) {
        Map<String, TestExecutionResult> results = run(suite, method);
        assertThat(results).as("results of %s#%s", suite.getSimpleName(), method).containsOnlyKeys(method);
        assertThat(results.get(method).getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
    }

    /** Runs {@code method} of {@code suite} (all of it when null) on every engine; results by method name. */
    private static Map<String, TestExecutionResult> run(Class<?> suite, String method) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        if (method == null) {
            request.selectors(DiscoverySelectors.selectClass(suite));
        } else {
            Method m = Arrays.stream(BackendConformance.class.getDeclaredMethods())
                    .filter(d -> d.getName().equals(method)).findFirst().orElseThrow();
            request.selectors(DiscoverySelectors.selectMethod(suite, m));
        }
        LauncherDiscoveryRequest discovery = request.build();
        Map<String, TestExecutionResult> results = new TreeMap<>();
        Launcher launcher = LauncherFactory.create();
        launcher.execute(discovery, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() && id.getSource().orElse(null) instanceof MethodSource source) {
                    results.put(source.getMethodName(), result);
                }
            }
        });
        return results;
    }
}
