<?xml version="1.0" encoding="utf-8"?>
<!--
  package-install.xsl - what a package's "web.config.install" step does, as a stylesheet:
  installs Contoso.Telemetry 2.4.1 into a web.config.

    * appSettings: adds each of the package's keys that the file does not have yet (a value the
      user already set is kept);
    * system.webServer/modules: adds the package's HTTP module (with a <remove> first, so an
      inherited registration does not give a duplicate-entry error);
    * runtime/assemblyBinding: points an existing bindingRedirect of the package's assemblies
      (its own and Newtonsoft.Json, a dependency) at the new version, or adds a dependentAssembly;
    * missing sections (appSettings, system.webServer, modules, runtime, assemblyBinding) are
      created at the end of <configuration>, in the namespace of their parent.
  Running it again on its own output changes nothing (idempotent). package-uninstall.xsl undoes it.

  The package manifest is a result tree fragment turned into nodes with exsl:node-set; the keys
  still to add are a set:difference. The result is re-indented (strip-space + indent="yes").

  EXSLT: exsl:node-set, set:difference, set:distinct; function-available() checks that
  exsl:node-set is there before anything is written.
  Inputs: any web.config (top-level sections only; <location> sections are left alone).
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:exsl="http://exslt.org/common"
    xmlns:set="http://exslt.org/sets"
    xmlns:asm="urn:schemas-microsoft-com:asm.v1"
    exclude-result-prefixes="exsl set asm">

  <xsl:output method="xml" encoding="utf-8" indent="yes"/>
  <xsl:strip-space elements="*"/>

  <xsl:variable name="manifest">
    <package id="Contoso.Telemetry" version="2.4.1">
      <setting key="Contoso.Telemetry:Enabled" value="true"/>
      <setting key="Contoso.Telemetry:Endpoint" value="https://telemetry.contoso.example/v2/ingest"/>
      <setting key="Contoso.Telemetry:SampleRate" value="0.25"/>
      <setting key="Contoso.Telemetry:Enabled" value="true"/>
      <module name="ContosoTelemetry" type="Contoso.Telemetry.Web.TelemetryModule, Contoso.Telemetry" preCondition="managedHandler"/>
      <assembly name="Contoso.Telemetry" publicKeyToken="8d3b2c1a0f9e7d65" culture="neutral"
                oldVersion="0.0.0.0-2.4.1.0" newVersion="2.4.1.0"/>
      <!-- A dependency: its redirect moves up when the project has an older one. -->
      <assembly name="Newtonsoft.Json" publicKeyToken="30ad4fe6b2a6aeed" culture="neutral"
                oldVersion="0.0.0.0-13.0.3.0" newVersion="13.0.3.0"/>
    </package>
  </xsl:variable>

  <xsl:variable name="package" select="exsl:node-set($manifest)/package"/>
  <!-- The manifest lists a key twice (a merge mistake upstream): one add per distinct key. -->
  <xsl:variable name="settings" select="set:distinct($package/setting/@key)/.."/>
  <xsl:variable name="root" select="/*"/>
  <xsl:variable name="web-server" select="$root/*[local-name() = 'system.webServer']"/>
  <xsl:variable name="runtime" select="$root/*[local-name() = 'runtime']"/>
  <xsl:variable name="binding" select="$runtime/asm:assemblyBinding"/>

  <xsl:template match="/">
    <xsl:if test="not(function-available('exsl:node-set'))">
      <xsl:message terminate="yes">package-install.xsl needs exsl:node-set()</xsl:message>
    </xsl:if>
    <xsl:apply-templates/>
  </xsl:template>

  <xsl:template match="@* | node()">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
    </xsl:copy>
  </xsl:template>

  <!-- configuration: append the sections that do not exist yet. -->
  <xsl:template match="/*">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:if test="not(*[local-name() = 'appSettings'])">
        <xsl:element name="appSettings" namespace="{namespace-uri(.)}">
          <xsl:call-template name="settings-to-add"/>
        </xsl:element>
      </xsl:if>
      <xsl:if test="not($web-server)">
        <xsl:element name="system.webServer" namespace="{namespace-uri(.)}">
          <xsl:call-template name="modules"/>
        </xsl:element>
      </xsl:if>
      <xsl:if test="not($runtime)">
        <xsl:element name="runtime" namespace="{namespace-uri(.)}">
          <xsl:call-template name="assembly-binding"/>
        </xsl:element>
      </xsl:if>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'appSettings']">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:call-template name="settings-to-add">
        <xsl:with-param name="existing" select="*[local-name() = 'add']/@key"/>
      </xsl:call-template>
    </xsl:copy>
  </xsl:template>

  <xsl:template name="settings-to-add">
    <xsl:param name="existing" select="/.."/>
    <xsl:param name="ns" select="namespace-uri(.)"/>
    <xsl:for-each select="set:difference($settings, $settings[@key = $existing])">
      <xsl:element name="add" namespace="{$ns}">
        <xsl:attribute name="key"><xsl:value-of select="@key"/></xsl:attribute>
        <xsl:attribute name="value"><xsl:value-of select="@value"/></xsl:attribute>
      </xsl:element>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'system.webServer']">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:if test="not(*[local-name() = 'modules'])">
        <xsl:call-template name="modules"/>
      </xsl:if>
    </xsl:copy>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'system.webServer']/*[local-name() = 'modules']">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:call-template name="module-entries"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template name="modules">
    <xsl:element name="modules" namespace="{namespace-uri(.)}">
      <xsl:call-template name="module-entries"/>
    </xsl:element>
  </xsl:template>

  <xsl:template name="module-entries">
    <xsl:variable name="here" select="."/>
    <xsl:variable name="ns" select="namespace-uri(.)"/>
    <xsl:for-each select="$package/module">
      <xsl:if test="not($here/*[local-name() = 'add'][@name = current()/@name])">
        <xsl:element name="remove" namespace="{$ns}">
          <xsl:attribute name="name"><xsl:value-of select="@name"/></xsl:attribute>
        </xsl:element>
        <xsl:element name="add" namespace="{$ns}">
          <xsl:copy-of select="@name | @type | @preCondition"/>
        </xsl:element>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'runtime']">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:if test="not(asm:assemblyBinding)">
        <xsl:call-template name="assembly-binding"/>
      </xsl:if>
    </xsl:copy>
  </xsl:template>

  <xsl:template name="assembly-binding">
    <assemblyBinding xmlns="urn:schemas-microsoft-com:asm.v1">
      <xsl:call-template name="dependent-assemblies"/>
    </assemblyBinding>
  </xsl:template>

  <xsl:template match="/*/*[local-name() = 'runtime']/asm:assemblyBinding">
    <xsl:copy>
      <xsl:apply-templates select="@* | node()"/>
      <xsl:call-template name="dependent-assemblies"/>
    </xsl:copy>
  </xsl:template>

  <xsl:template name="dependent-assemblies">
    <xsl:variable name="here" select="."/>
    <xsl:for-each select="$package/assembly">
      <xsl:if test="not($here/asm:dependentAssembly[asm:assemblyIdentity/@name = current()/@name])">
        <dependentAssembly xmlns="urn:schemas-microsoft-com:asm.v1">
          <assemblyIdentity name="{@name}" publicKeyToken="{@publicKeyToken}" culture="{@culture}"/>
          <bindingRedirect oldVersion="{@oldVersion}" newVersion="{@newVersion}"/>
        </dependentAssembly>
      </xsl:if>
    </xsl:for-each>
  </xsl:template>

  <!-- An older redirect of the package's assembly: move it to this version. -->
  <xsl:template match="asm:dependentAssembly/asm:bindingRedirect">
    <xsl:variable name="assembly" select="$package/assembly[@name = current()/../asm:assemblyIdentity/@name]"/>
    <xsl:choose>
      <xsl:when test="$assembly">
        <xsl:copy>
          <xsl:copy-of select="@*"/>
          <xsl:attribute name="oldVersion"><xsl:value-of select="$assembly/@oldVersion"/></xsl:attribute>
          <xsl:attribute name="newVersion"><xsl:value-of select="$assembly/@newVersion"/></xsl:attribute>
        </xsl:copy>
      </xsl:when>
      <xsl:otherwise>
        <xsl:copy>
          <xsl:apply-templates select="@* | node()"/>
        </xsl:copy>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
