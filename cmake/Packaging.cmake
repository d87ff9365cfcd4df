# Installing stemdeck like a real program (`cmake --install`) and its Debian package
# (scripts/package.sh, CPack). The installed programs are never sanitised: in a sanitised (test)
# configuration, stemdeck_pkg and stemdeck-gui_pkg (src/app/CMakeLists.txt, from the "_plain"
# modules) are installed under the names stemdeck and stemdeck-gui.
include(GNUInstallDirs)

set(STEMDECK_INSTALL_CLI ${STEMDECK_PLAIN_CLI})
set(STEMDECK_INSTALL_GUI ${STEMDECK_PLAIN_GUI})

install(PROGRAMS $<TARGET_FILE:${STEMDECK_INSTALL_CLI}> DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME stemdeck)
install(PROGRAMS $<TARGET_FILE:${STEMDECK_INSTALL_GUI}> DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME stemdeck-gui)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/controllers/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stemdeck/controllers
  FILES_MATCHING PATTERN "*.yaml" PATTERN "*.md")
# The web remote's pages (read into memory when a show starts with --web).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stemdeck/web)
install(FILES ${PROJECT_SOURCE_DIR}/sets/demo.yaml ${PROJECT_SOURCE_DIR}/sets/example.yaml
  ${PROJECT_SOURCE_DIR}/sets/README.md DESTINATION ${CMAKE_INSTALL_DATADIR}/stemdeck/sets)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stemdeck-gui.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stemdeck.svg
  DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
  ${PROJECT_SOURCE_DIR}/packaging/show.conf.example DESTINATION ${CMAKE_INSTALL_DOCDIR})
# The manual (docs/manual/*.md), ARCHITECTURE.md and the stage view's picture in DOCDIR/docs, as
# in the source tree: the README's links (docs/manual/…) and the pages' own (../ARCHITECTURE.md,
# ../stage-view.png) work installed as they do there.
install(FILES ${PROJECT_SOURCE_DIR}/docs/ARCHITECTURE.md ${PROJECT_SOURCE_DIR}/docs/stage-view.png
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/manual/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs/manual
  FILES_MATCHING PATTERN "*.md" PATTERN "*.png")
# The systemd user service (boot to show): lib/systemd/user, where systemd looks under /usr.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stemdeck.service ${PROJECT_SOURCE_DIR}/packaging/stemdeck-gui.service
  DESTINATION lib/systemd/user)
if(EXISTS ${PROJECT_SOURCE_DIR}/web)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/ DESTINATION ${CMAKE_INSTALL_DATADIR}/stemdeck/web)
endif()

# The man pages, from the programs' own --help (packaging/make-man.sh, help2man).
find_program(STEMDECK_HELP2MAN help2man)
if(STEMDECK_HELP2MAN)
  set(man ${PROJECT_BINARY_DIR}/man)
  add_custom_command(OUTPUT ${man}/stemdeck.1 ${man}/stemdeck-gui.1 ${man}/stemdeck.1.gz ${man}/stemdeck-gui.1.gz
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/make-man.sh $<TARGET_FILE:${STEMDECK_INSTALL_CLI}>
      $<TARGET_FILE:${STEMDECK_INSTALL_GUI}> ${PROJECT_VERSION} ${man}
    DEPENDS ${STEMDECK_INSTALL_CLI} ${STEMDECK_INSTALL_GUI} ${PROJECT_SOURCE_DIR}/packaging/make-man.sh
    COMMENT "Man pages from --help")
  add_custom_target(stemdeck_man ALL DEPENDS ${man}/stemdeck.1 ${man}/stemdeck-gui.1)
  install(FILES ${man}/stemdeck.1.gz ${man}/stemdeck-gui.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: no man pages (scripts/setup-deps.sh installs it)")
endif()

# The Debian package. Its library dependencies are derived by dpkg-shlibdeps from the programs;
# the X libraries JUCE opens at run time (dlopen: shlibdeps cannot see them) are named here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stemdeck)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "stemdeck")
set(CPACK_PACKAGE_CONTACT "stemdeck developers <stemdeck@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "live stem player for the stage")
set(CPACK_PACKAGE_DESCRIPTION
  "stemdeck plays a set of songs, each a folder of up to eight stems (or a Native Instruments\n"
  "stem file), in sample-accurate sync on ALSA or JACK, with per-stem mute, solo, gain and\n"
  "DJ filter from a MIDI controller, a click and count-in, markers, vamp and reference A/B.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libxext6, libxcursor1, libxinerama1, libxrandr2, libxrender1")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "jackd2, libxss1")
set(CPACK_STRIP_FILES ON)
include(CPack)
