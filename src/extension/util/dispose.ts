// Base class for objects that own disposables (the custom-editor sample's pattern):
// `_register` disposes at once when the owner is already disposed.
import type * as vscode from 'vscode';

export abstract class Disposable {
  private _disposed = false;
  protected readonly _disposables: vscode.Disposable[] = [];

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) return;
    this._disposed = true;
    while (this._disposables.length) this._disposables.pop()?.dispose();
  }

  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this._disposed) d.dispose();
    else this._disposables.push(d);
    return d;
  }
}
