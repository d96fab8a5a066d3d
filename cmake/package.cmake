# Installing guichet and its Debian package (make package -> guichet_<version>_amd64.deb).
#   /usr/bin                guichet, guichet-loadtest, guichet-verify-draw (tools/verify_draw.py)
#   /usr/share/guichet/web  the fans' pages (config: [web] root)
#   /etc/guichet            guichet.toml (config/production.toml, a conffile), secrets/ (0700, empty)
#   /lib/systemd/system     guichet.service
#   /usr/share/doc/guichet  README, docs/, openapi.yaml, examples/ (dev.toml, deploy/ templates)
# The package's dependencies come from the binaries (dpkg-shlibdeps), python3 for the verifier.
include(GNUInstallDirs)
# `make package` (and the package test) build first; cpack itself then only installs and packs,
# never rebuilds behind a running test.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS guichet guichet-loadtest RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS tools/verify_draw.py DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME guichet-verify-draw)
install(DIRECTORY web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/guichet/web)
install(FILES config/production.toml DESTINATION /etc/guichet RENAME guichet.toml)
install(DIRECTORY DESTINATION /etc/guichet/secrets DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
install(FILES deploy/systemd/guichet.service DESTINATION /lib/systemd/system)

set(GUICHET_DOC ${CMAKE_INSTALL_DATADIR}/doc/guichet)
install(FILES README.md docs/openapi.yaml DESTINATION ${GUICHET_DOC})
install(DIRECTORY docs/ DESTINATION ${GUICHET_DOC} FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
install(FILES config/dev.toml DESTINATION ${GUICHET_DOC}/examples)
install(DIRECTORY deploy/ DESTINATION ${GUICHET_DOC}/examples/deploy)
install(FILES packaging/copyright DESTINATION ${GUICHET_DOC})
# Debian wants the changelog compressed, byte-for-byte reproducible (gzip -n: no name, no time).
set(GUICHET_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${GUICHET_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
  COMMAND gzip -9nc ${PROJECT_SOURCE_DIR}/packaging/changelog > ${GUICHET_CHANGELOG_GZ}
  DEPENDS packaging/changelog VERBATIM)
add_custom_target(guichet_changelog ALL DEPENDS ${GUICHET_CHANGELOG_GZ})
install(FILES ${GUICHET_CHANGELOG_GZ} DESTINATION ${GUICHET_DOC})
install(FILES packaging/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME guichet)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME guichet)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "guichet team <guichet@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "queue-and-checkout gateway for ticket purchase surges")
# The long description (CPack puts the summary above it as the synopsis, and indents each line).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "guichet holds fans in a virtual waiting room behind a CDN, admits them by draw
timeslot and at a rate the back office can absorb, and reserves seats
atomically in Redis. This package holds the gateway, the surge harness
(guichet-loadtest), the draw verifier, the fans' pages, a systemd unit and
the manual.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://guichet.example.org")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-sentinel, nginx-light, prometheus")
set(CPACK_STRIP_FILES ON)
# Files under /etc are the admin's: dpkg keeps an edited guichet.toml on upgrade.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Installed file modes as Debian expects them (0644 files, 0755 directories and programs).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
  WORLD_READ WORLD_EXECUTE)
include(CPack)
