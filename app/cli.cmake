# Every convergectl/*.cpp is one command family (bundle, deploy, ...) or shared helpers.
file(GLOB convergectl_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/convergectl/*.cpp
     ${CMAKE_CURRENT_SOURCE_DIR}/convergectl/*.h)
add_executable(convergectl ${convergectl_sources})
target_link_libraries(convergectl PRIVATE collectors core Qt6::Core Qt6::Network)

add_executable(converged converged/main.cpp)
target_link_libraries(converged PRIVATE collectors core Qt6::Core)

install(TARGETS convergectl converged RUNTIME DESTINATION bin)
if(TARGET converge)
    install(TARGETS converge RUNTIME DESTINATION bin)
endif()
install(FILES ${CMAKE_SOURCE_DIR}/installer/converged.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/installer/converged.conf DESTINATION /etc/converge)
install(FILES ${CMAKE_SOURCE_DIR}/docs/agent.md DESTINATION share/doc/converge)
