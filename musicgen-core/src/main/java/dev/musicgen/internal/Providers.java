package dev.musicgen.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Function;

/**
 * The one place that finds service providers (codec, MultiBand Diffusion, device selectors) with
 * {@link ServiceLoader}: first through the thread's context class loader, where an application server or a plugin
 * host puts the application's jars, then through the class loader of this library, so that a provider next to
 * {@code musicgen-core} is found even when the context class loader is unset or does not see it. A provider class seen
 * through both is returned once.
 */
public final class Providers {
    private Providers() {}

    /** Every provider of {@code type}, context class loader first. */
    public static <T> List<T> all(Class<T> type) {
        Set<ClassLoader> loaders = new LinkedHashSet<>();
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            loaders.add(context);
        }
        loaders.add(Providers.class.getClassLoader());
        List<T> found = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ClassLoader loader : loaders) {
            for (T provider : ServiceLoader.load(type, loader)) {
                if (seen.add(provider.getClass().getName())) {
                    found.add(provider);
                }
            }
        }
        return found;
    }

    /**
     * The first provider of {@code type} whose {@code name} is {@code wanted}.
     *
     * @throws ServiceConfigurationError when a listed provider cannot be instantiated
     */
    public static <T> Optional<T> named(Class<T> type, Function<T, String> name, String wanted) {
        for (T provider : all(type)) {
            if (wanted.equals(name.apply(provider))) {
                return Optional.of(provider);
            }
        }
        return Optional.empty();
    }
}
