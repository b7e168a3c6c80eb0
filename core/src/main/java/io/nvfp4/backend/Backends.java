package io.nvfp4.backend;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds the backends on the module path (or class path) and chooses one: the backend named by the
 * system property {@code nvfp4.backend} if set, else the supported backend of highest priority. The
 * choice is made once, on first use, and logged in one line.
 */
public final class Backends {
    /** The system property that forces a backend by {@link Backend#name()}. */
    public static final String PROPERTY = "nvfp4.backend";

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {}

    /** Every backend found, supported or not, highest priority first. */
    public static List<Backend> all() {
        List<Backend> found = new ArrayList<>();
        for (Backend backend : ServiceLoader.load(Backend.class, Backends.class.getClassLoader())) {
            found.add(backend);
        }
        found.sort(Comparator.comparingInt(Backend::priority).reversed());
        return found;
    }

    /** The backend called {@code name}, if found and supported. */
    public static Backend named(String name) {
        List<Backend> all = all();
        for (Backend backend : all) {
            if (backend.name().equals(name)) {
                if (!backend.isSupported()) {
                    throw new IllegalStateException("backend '" + name + "' is not supported on this JVM or machine");
                }
                return backend;
            }
        }
        throw new IllegalArgumentException("no backend named '" + name + "'; found: " + names(all));
    }

    /** The backend this process uses (see the class comment). */
    public static Backend get() {
        return Chosen.BACKEND;
    }

    private static String names(List<Backend> backends) {
        return backends.stream().map(Backend::name).collect(Collectors.joining(", "));
    }

    /** Chooses on first use (holder idiom: no lock, no class-initialisation cycle with the backends). */
    private static final class Chosen {
        static final Backend BACKEND = choose();

        private static Backend choose() {
            String forced = System.getProperty(PROPERTY);
            if (forced != null && !forced.isBlank()) {
                Backend backend = named(forced.trim());
                LOG.info("nvfp4 backend: {} (forced by -D{}={})", backend.name(), PROPERTY, forced.trim());
                return backend;
            }
            List<Backend> all = all();
            for (Backend backend : all) {
                if (backend.isSupported()) {
                    List<String> skipped = all.stream().filter(b -> b.priority() > backend.priority())
                            .map(b -> b.name() + " (not supported here)").toList();
                    LOG.info("nvfp4 backend: {} (priority {}{})", backend.name(), backend.priority(),
                            skipped.isEmpty() ? "" : "; skipped " + String.join(", ", skipped));
                    return backend;
                }
            }
            throw new IllegalStateException("no supported nvfp4 backend found; found: " + names(all));
        }
    }
}
