// The IntelliJ glue of the dlcontainer PyCharm plugin. It needs the IntelliJ Platform SDK, which the
// IntelliJ Platform Gradle Plugin downloads: build it where that is reachable (`gradle buildPlugin`).
// Everything that is not IntelliJ API lives in ../client (plain Java, built and tested without Gradle).
plugins {
    id("java")
    id("org.jetbrains.intellij.platform") version "2.1.0"
}

group = "dev.dlcontainer"
version = "0.1.0"

java {
    toolchain { languageVersion.set(JavaLanguageVersion.of(17)) }
}

repositories {
    mavenCentral()
    intellijPlatform { defaultRepositories() }
}

sourceSets {
    main {
        // The client's sources are compiled into the plugin: one jar, no second build to keep in step.
        java.srcDirs("src/main/java", "../client/src/main/java")
    }
}

dependencies {
    implementation("com.fasterxml.jackson.core:jackson-databind:2.14.2")
    intellijPlatform {
        pycharmCommunity("2024.1.4")
        bundledPlugin("PythonCore")
        instrumentationTools()
    }
}

intellijPlatform {
    pluginConfiguration {
        ideaVersion {
            sinceBuild = "241"
            untilBuild = "243.*"
        }
    }
}
