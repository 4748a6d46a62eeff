; Included by electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; onnxruntime.dll and its binding need the Microsoft Visual C++ 2015-2022 runtime (x64). Without it the engine
; cannot start, so the installer checks for it and offers the download before installing.
!macro customInit
  SetRegView 64
  ReadRegDWORD $0 HKLM "SOFTWARE\Microsoft\VisualStudio\14.0\VC\Runtimes\x64" "Installed"
  SetRegView lastused
  StrCmp $0 "1" iirVcRuntimeFound
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "IIR Studio needs the Microsoft Visual C++ Redistributable (x64), which is not installed.$\r$\n$\r$\nOpen its download page now? Install it before you start IIR Studio." IDNO iirVcRuntimeFound
    ExecShell "open" "https://aka.ms/vs/17/release/vc_redist.x64.exe"
  iirVcRuntimeFound:
!macroend
