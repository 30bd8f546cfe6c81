rootProject.name = "dlcontainer-pycharm"

pluginManagement {
    repositories {
        gradlePluginPortal()
        mavenCentral()
    }
}
