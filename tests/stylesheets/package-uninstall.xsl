<?xml version="1.0" encoding="utf-8"?>
<!--
  package-uninstall.xsl - the "web.config.uninstall" counterpart of package-install.xsl: takes a
  package's entries back out of a web.config and leaves every other byte of layout alone.

    * appSettings/add whose key is listed in $keys or starts with $key-prefix;
    * system.webServer/modules add and remove entries named in $modules;
    * runtime/assemblyBinding/dependentAssembly of the assemblies named in $assemblies;
    * a section left with no entries (appSettings, modules, assemblyBinding) goes too,
      and so does the line break and indentation in front of everything removed.
  Lists are whitespace-separated (str:tokenize); the defaults remove Contoso.Telemetry. For an
  old ASP.NET MVC project, for example:
    xsltproc - -stringparam keys "webpages:Version webpages:Enabled" - -stringparam key-prefix ""
             - -stringparam modules FormsAuthentication - -stringparam assemblies System.Web.Mvc
  (written with "- -" because two hyphens cannot appear in an XML comment).

  EXSLT: str:tokenize, set:has-same-node, set:intersection, set:difference.
  Inputs: any web.config.
-->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:str="http://exslt.org/strings"
    xmlns:set="http://exslt.org/sets"
    xmlns:asm="urn:schemas-microsoft-com:asm.v1"
    exclude-result-prefixes="str set asm">

  <xsl:output method="xml" encoding="utf-8"/>

  <xsl:param name="keys" select="'Contoso.Telemetry:Enabled Contoso.Telemetry:Endpoint'"/>
  <xsl:param name="key-prefix" select="'Contoso.Telemetry:'"/>
  <xsl:param name="modules" select="'ContosoTelemetry'"/>
  <xsl:param name="assemblies" select="'Contoso.Telemetry'"/>

  <xsl:variable name="key-list" select="str:tokenize($keys, ' &#9;&#10;')"/>
  <xsl:variable name="module-list" select="str:tokenize($modules, ' &#9;&#10;')"/>
  <xsl:variable name="assembly-list" select="str:tokenize($assemblies, ' &#9;&#10;')"/>

  <xsl:variable name="settings" select="/*/*[local-name() = 'appSettings']/*[local-name() = 'add']"/>
  <xsl:variable name="module-entries"
      select="/*/*[local-name() = 'system.webServer']/*[local-name() = 'modules']/*"/>

  <!-- The entries to remove. -->
  <xsl:variable name="entries"
      select="$settings[@key = $key-list or ($key-prefix != '' and starts-with(@key, $key-prefix))]
            | $module-entries[@name = $module-list]
            | /*/*[local-name() = 'runtime']/asm:assemblyBinding/asm:dependentAssembly[asm:assemblyIdentity/@name = $assembly-list]"/>

  <!-- Sections whose every entry goes. -->
  <xsl:variable name="sections" select="$entries/.."/>
  <xsl:variable name="emptied" select="set:difference($sections, $sections[*[not(set:has-same-node(., $entries))]])"/>

  <xsl:variable name="doomed" select="$entries | $emptied"/>

  <xsl:template match="/">
    <xsl:if test="$entries">
      <xsl:comment>
        <xsl:value-of select="concat(' uninstall: ', count($entries), ' entries, ', count($emptied), ' sections ')"/>
      </xsl:comment>
      <xsl:text>&#10;</xsl:text>
    </xsl:if>
    <xsl:apply-templates/>
  </xsl:template>

  <xsl:template match="@* | node()">
    <xsl:choose>
      <xsl:when test="set:has-same-node(., $doomed)"/>
      <!-- the indentation in front of a removed element -->
      <xsl:when test="self::text()[not(normalize-space())]
                      and set:intersection(following-sibling::node()[1], $doomed)"/>
      <xsl:otherwise>
        <xsl:copy>
          <xsl:apply-templates select="@* | node()"/>
        </xsl:copy>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
